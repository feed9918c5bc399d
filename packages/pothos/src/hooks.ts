import type { EndReason, UnsubscribeReason } from '@gqlcast/core';
import { failActiveSpan } from '@gqlcast/core/telemetry';
import type { GraphQLResolveInfo } from 'graphql';
import type { FieldDefinition } from './stream.js';

/**
 * A failed `publish`, carried through the stream to `resolve`, which rethrows
 * it: the error lands on that one notification, and the stream goes on.
 * Wrapped so that other plugins wrapping `resolve` never mistake it for a value.
 */
export class PublishFailure {
  constructor(readonly error: unknown) {}
}

/**
 * A `publish` failed: the failure to carry to `resolve`, recorded once where it happened, on
 * the span active there (the received broadcast's on the push path, the subscription's on the
 * pull path), when tracing.
 */
export function publishFailed(error: unknown): PublishFailure {
  failActiveSpan(error);
  return new PublishFailure(error);
}

/** Runs a field's `unsubscribed` hook; its failure is logged, never thrown. */
export function runUnsubscribed(
  field: FieldDefinition,
  args: unknown,
  context: unknown,
  info: GraphQLResolveInfo,
  reason: UnsubscribeReason,
): void {
  const hook = field.unsubscribed;
  if (hook === undefined) return;
  const report = (error: unknown) =>
    field.logger.error(`unsubscribed() of Subscription.${field.fieldName} failed.`, {
      field: field.fieldName,
      reason,
      error,
    });
  try {
    const result = hook(args, context, info, reason);
    if (isPromiseLike(result)) result.then(undefined, report);
  } catch (error) {
    report(error);
  }
}

/** The reason a field's `unsubscribed` hook gets when its channel subscription ended by itself. */
export function toUnsubscribeReason(reason: EndReason | undefined): UnsubscribeReason {
  switch (reason) {
    case 'unsubscribe':
      return 'unsubscribe';
    case 'error':
      return 'error';
    case 'shutdown':
      return 'shutdown';
    default:
      return 'complete';
  }
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
