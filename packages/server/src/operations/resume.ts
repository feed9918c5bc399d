import type { ResumeGap, ResumePoint } from '@gqlcast/core';
import type { SubscribePayload, WireError, WireResult } from '@gqlcast/core/protocol';
import type { NotificationMark } from '@gqlcast/core/push';
import { decodeCursor } from '@gqlcast/core/support';
import { ServerErrorCode } from '../error-codes.js';

/**
 * What a subscribe message asks about resuming (`payload.extensions.gqlcast.resumeFrom`,
 * docs/resume-client.md): nothing (`{}`), a position, or a cursor this server cannot read
 * (`refusal`: the subscription is refused with `GQLCAST_RESUME_CURSOR_INVALID`).
 */
export function resumeRequestOf(payload: SubscribePayload): { from?: ResumePoint; refusal?: WireError } {
  const gqlcast = payload.extensions?.gqlcast;
  if (gqlcast === undefined || gqlcast === null || typeof gqlcast !== 'object') return {};
  const cursor = (gqlcast as { resumeFrom?: unknown }).resumeFrom;
  if (cursor === undefined || cursor === null) return {};
  const from = decodeCursor(cursor);
  if (from !== undefined) return { from };
  return {
    refusal: {
      message:
        'extensions.gqlcast.resumeFrom is not a cursor this server wrote. Send back the ' +
        '`extensions.gqlcast.cursor` of the last result you processed, unchanged, or "0" for the ' +
        'whole retained history, or leave resumeFrom out to subscribe afresh.',
      extensions: { code: ServerErrorCode.ResumeCursorInvalid },
    },
  };
}

/** Whether a mark has anything to say. */
export function hasMark(mark: NotificationMark | undefined): mark is NotificationMark {
  return mark !== undefined && (mark.cursor !== undefined || mark.gap !== undefined);
}

/** `result` with the mark in `extensions.gqlcast` (the confirmation, the pull path). */
export function markResult(result: WireResult, mark: NotificationMark): WireResult {
  const extensions = result.extensions as { gqlcast?: Record<string, unknown> } | undefined;
  return { ...result, extensions: { ...extensions, gqlcast: { ...extensions?.gqlcast, ...plainMark(mark) } } };
}

/**
 * A serialized result with the mark in `extensions.gqlcast`. The body is shared by every
 * subscriber of an execution, the mark is not always: so it is added to the text, and the
 * text is parsed again only when it may already have `extensions` (rare).
 */
export function markBody(body: string, mark: NotificationMark): string {
  if (body.includes('"extensions"')) return JSON.stringify(markResult(JSON.parse(body) as WireResult, mark));
  const extensions = `"extensions":${JSON.stringify({ gqlcast: plainMark(mark) })}`;
  return body === '{}' ? `{${extensions}}` : `${body.slice(0, -1)},${extensions}}`;
}

/** The confirmation of a subscription: with its starting cursor and the gap of a resume, when there are. */
export function confirmationOf(
  message: WireResult,
  cursor: string | undefined,
  gap: ResumeGap | undefined,
): WireResult {
  const mark = { cursor, gap };
  return hasMark(mark) ? markResult(message, mark) : message;
}

function plainMark(mark: NotificationMark): { cursor?: string; gap?: ResumeGap } {
  const plain: { cursor?: string; gap?: ResumeGap } = {};
  if (mark.cursor !== undefined) plain.cursor = mark.cursor;
  if (mark.gap !== undefined) plain.gap = mark.gap.missed === undefined ? {} : { missed: mark.gap.missed };
  return plain;
}
