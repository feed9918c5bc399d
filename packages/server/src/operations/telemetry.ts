import type { UnsubscribeReason } from '@gqlcast/core';
import type { WireError } from '@gqlcast/core/protocol';
import { recordFailure, SpanKind, startSpan, type TelemetrySpan, tracingAvailable } from '@gqlcast/core/telemetry';
import type { ResolvedOptions } from '../options.js';

/**
 * The SERVER span of one operation (OpenTelemetry's GraphQL conventions): started when the
 * operation arrives, named by its type once parsed (`query`, `mutation`, `subscription`; with
 * the operation name only as an opt-in, for cardinality), ended when the operation is over. A
 * subscription's span lasts until it ends and says why (`gqlcast.end_reason`).
 */
export function startOperationSpan(options: ResolvedOptions): TelemetrySpan | undefined {
  if (!options.telemetry.enabled || !tracingAvailable()) return undefined;
  return startSpan('@gqlcast/server', 'graphql', SpanKind.Server, {});
}

/** Names the span once the document is parsed. */
export function describeOperation(
  span: TelemetrySpan | undefined,
  options: ResolvedOptions,
  type: string,
  name: string | null | undefined,
  query: string,
): void {
  if (span === undefined) return;
  const { includeOperationName, includeDocument } = options.telemetry;
  span.updateName(includeOperationName && name ? `${type} ${name}` : type);
  span.setAttribute('graphql.operation.type', type);
  if (name) span.setAttribute('graphql.operation.name', name);
  if (includeDocument) span.setAttribute('graphql.document', query);
}

/** Ends the span: why a subscription ended, and the errors that refused or failed an operation. */
export function endOperationSpan(
  span: TelemetrySpan | undefined,
  subscription: boolean,
  reason: UnsubscribeReason,
  errors?: readonly WireError[],
  counts?: { delivered: number; skipped?: number; dropped?: number },
): void {
  if (span === undefined) return;
  if (subscription) {
    span.setAttribute('gqlcast.end_reason', reason);
    // What became of its notifications; the pull path only sees what it sent.
    if (counts !== undefined) {
      span.setAttribute('gqlcast.notifications.delivered', counts.delivered);
      if (counts.skipped !== undefined) span.setAttribute('gqlcast.notifications.skipped', counts.skipped);
      if (counts.dropped !== undefined) span.setAttribute('gqlcast.notifications.dropped', counts.dropped);
    }
  }
  if (errors !== undefined && errors.length > 0) {
    recordFailure(span, new Error(errors.map((error) => error.message).join('; ')));
  }
  span.end();
}
