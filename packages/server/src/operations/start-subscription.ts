import type { SubscribePayload } from '@gqlcast/core/protocol';
import type { ExecutionArgs, OperationDefinitionNode } from 'graphql';
import { isPushField, subscribePush } from './push.js';
import type { Operation, OperationRegistry } from './registry.js';
import { resumeRequestOf } from './resume.js';
import { subscribePull } from './subscribe.js';

/**
 * Starts a subscription on the path that can serve it: push for a `@gqlcast/pothos`
 * field selected plainly, pull for anything else. A `resumeFrom` the server cannot read
 * is refused here, whatever the field; a readable one resumes on the push path, and on
 * the pull path (which keeps no history) is answered with a gap.
 */
export async function startSubscription(
  registry: OperationRegistry,
  operation: Operation,
  args: ExecutionArgs,
  payload: SubscribePayload,
  definition: OperationDefinitionNode,
): Promise<void> {
  const { from, refusal } = resumeRequestOf(payload);
  if (refusal !== undefined) {
    registry.refuse(operation, [refusal], 'refused');
    return;
  }
  // With `onNext`, each notification passes the hook on its own: the pull path, per subscriber.
  if (registry.scope.options.onNext === undefined && isPushField(args.schema, definition)) {
    await subscribePush(registry, operation, args, payload.query, from);
    return;
  }
  await subscribePull(registry, operation, args, undefined, from === undefined ? undefined : {});
}
