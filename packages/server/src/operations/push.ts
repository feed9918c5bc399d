import type { ResumePoint } from '@gqlcast/core';
import {
  isPushField as isPushFieldExtensions,
  type PublishCall,
  type PushOffer,
  type PushResume,
  type PushSource,
  pushOfferKey,
} from '@gqlcast/core/push';
import {
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
} from 'graphql';
import { ServerErrorCode as Codes } from '../error-codes.js';
import { createSourceEventStream } from '../graphql-compat.js';
import { PushMember } from '../push-member.js';
import type { Operation, OperationRegistry } from './registry.js';
import { confirmationOf } from './resume.js';
import { isAsyncIterator, subscribePull } from './subscribe.js';

/** Whether the operation's root field takes the push offer (a `@gqlcast/pothos` field, selected plainly). */
export function isPushField(schema: GraphQLSchema, definition: OperationDefinitionNode): boolean {
  const selections = definition.selectionSet.selections;
  const node = selections[0];
  // Fragments or directives at the root: graphql-js's own path handles them.
  if (selections.length !== 1 || node?.kind !== Kind.FIELD || (node.directives?.length ?? 0) > 0) return false;
  const field = schema.getSubscriptionType()?.getFields()[node.name.value];
  return isPushFieldExtensions(field?.extensions);
}

/**
 * The push path: the field hands over its source, already subscribed; the
 * subscription joins the shared execution of its key (or gets its own), and
 * from then on each notification is executed, serialized and written
 * synchronously, once per shared execution.
 */
export async function subscribePush(
  registry: OperationRegistry,
  operation: Operation,
  args: ExecutionArgs,
  query: string,
  resumeFrom?: ResumePoint,
): Promise<void> {
  const { options, executions, wrapPublish } = registry.scope;
  const sink = registry.sink;
  const resume =
    resumeFrom === undefined ? undefined : { from: resumeFrom, gapOnConfirmation: options.confirmSubscriptions };
  let accepted: PushSource | undefined;
  const offer = new Offer(wrapPublish, resume, (source) => {
    accepted = source;
    if (operation.state === 'done') {
      // Completed while `subscribe` ran: the source ends now, with the reason the stop gave.
      source.end(operation.reason);
      return;
    }
    const execution = executions.executionFor(source, args, query);
    operation.member = new PushMember(
      operation.id,
      sink.notificationFrame(operation.id),
      source,
      execution,
      sink.outbox,
      registry,
      registry.scope.telemetry.tallyOf(source.channel),
    );
  });
  const result = await createSourceEventStream({ ...args, rootValue: offer });
  const member = operation.member;
  if (member !== undefined && !isAsyncIterator(result)) {
    // Accepted, then its groups could not be subscribed: the field reports the error.
    member.leave('error');
    operation.member = undefined;
  }
  if (operation.member === undefined) {
    if (operation.state === 'done') {
      // Stopped while starting, and its source was already ended: accepted all the same if it has a stream.
      if (isAsyncIterator(result)) registry.confirmLate(operation);
      return;
    }
    if (isAsyncIterator(result)) {
      // Another plugin replaced the field's stream: pull it, as graphql-js would.
      await subscribePull(registry, operation, args, result);
      return;
    }
    registry.refuse(
      operation,
      registry.formatErrors((result as ExecutionResult).errors, Codes.OperationRefused),
      'refused',
    );
    return;
  }
  if (member === undefined) return;
  if (operation.state === 'done') {
    registry.confirmLate(operation);
    member.leave(operation.reason);
    return;
  }
  operation.state = 'running';
  // Confirmation first: notifications that arrived meanwhile (a resume's replay too) wait in the
  // outbox until it is sent. It carries the starting cursor, so a client that gets nothing
  // before a disconnect can still resume, and the gap of a resume.
  if (options.confirmSubscriptions) {
    const confirmation = confirmationOf(options.confirmationMessage, accepted?.cursor?.(), accepted?.resumeGap);
    sink.next(operation.id, confirmation, 'confirmation');
  }
  member.activate();
}

/**
 * The root value a push field sees. graphql-js keeps it (as `info.rootValue`)
 * for as long as the field's source lives, so once accepted it lets go of the
 * operation it was made for.
 */
export class Offer implements PushOffer {
  declare readonly [pushOfferKey]: true;
  readonly wrapPublish: ((publish: PublishCall) => PublishCall) | undefined;
  readonly resume: PushResume | undefined;
  #start: ((source: PushSource) => void) | undefined;

  constructor(
    wrapPublish: ((publish: PublishCall) => PublishCall) | undefined,
    resume: PushResume | undefined,
    start: (source: PushSource) => void,
  ) {
    this.wrapPublish = wrapPublish;
    this.resume = resume;
    this.#start = start;
  }

  accept(source: PushSource): void {
    const start = this.#start;
    if (start === undefined) throw new Error('A push offer was accepted twice.');
    this.#start = undefined;
    start(source);
  }
}
Object.defineProperty(Offer.prototype, pushOfferKey, { value: true });
