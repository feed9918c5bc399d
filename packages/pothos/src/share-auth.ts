import { type PothosOutputFieldConfig, PothosSchemaError, type SchemaTypes } from '@pothos/core';

/**
 * Per-field options of auth plugins whose check runs in the field's `resolve`,
 * that is once per notification. Under `share` one `resolve` serves every
 * subscriber of the shared feed, with the context of the one who opened it:
 * an anonymous opener would make every member "Not authorized", a member
 * opener would hand members-only data to anonymous subscribers.
 *
 * - `authScopes`: @pothos/plugin-scope-auth (in `resolve` unless `authorizeOnSubscribe`)
 * - `grantScopes`: scope-auth, grants for the fields below, always computed in `resolve`
 * - `authz`: @pothos/plugin-authz, checked in `resolve`
 */
const resolveTimeAuthOptions = ['authScopes', 'grantScopes', 'authz'] as const;

/** What the check needs from the plugin: the builder's options and the field's parent type. */
export interface ShareAuthContext {
  readonly builderOptions: Readonly<Record<string, unknown>>;
  typeOptions(typeName: string): Readonly<Record<string, unknown>>;
}

/**
 * Refuses, at build time, a `share` field whose own authorization would run
 * once per shared notification instead of once per subscriber. scope-auth's
 * `authScopes` with `authorizeOnSubscribe: true` is accepted: scope-auth then
 * checks them in `subscribe`, which runs for every subscriber before it joins
 * a shared feed.
 *
 * @throws PothosSchemaError naming the field, the option and the two ways out.
 */
export function assertShareAuth<Types extends SchemaTypes>(
  fieldConfig: PothosOutputFieldConfig<Types>,
  context: ShareAuthContext,
): void {
  const gqlcast = (fieldConfig.extensions as { gqlcast?: { push?: unknown; shared?: unknown } } | undefined)?.gqlcast;
  if (gqlcast?.push !== true || gqlcast.shared !== true) return;
  const fieldOptions = fieldConfig.pothosOptions as Readonly<Record<string, unknown>>;
  const scopeAuth = context.builderOptions.scopeAuth as { authorizeOnSubscribe?: unknown } | undefined;
  const onSubscribe = scopeAuth?.authorizeOnSubscribe === true;
  const where = `${fieldConfig.parentType}.${fieldConfig.name}`;

  const found: string[] = [];
  for (const option of resolveTimeAuthOptions) {
    if (fieldOptions[option] === undefined) continue;
    if (option === 'authScopes' && onSubscribe) continue;
    found.push(`\`${option}\``);
  }
  // scope-auth runs the Subscription type's own authScopes on each of its fields, unless skipped.
  const typeScopes = context.typeOptions(fieldConfig.parentType).authScopes;
  if (typeScopes !== undefined && fieldOptions.skipTypeScopes !== true && !onSubscribe) {
    found.push(`the \`authScopes\` of type ${fieldConfig.parentType}`);
  }
  if (found.length === 0) return;
  throw new PothosSchemaError(
    `t.subscriptionField: ${where} has \`share\` and ${found.join(' and ')}, which are checked once per ` +
      'notification, with the context of the subscriber who opened the shared feed, not per subscriber. ' +
      'Remove `share`, or check authorization in `subscribe` (it runs for every subscriber); with ' +
      '@pothos/plugin-scope-auth, `scopeAuth: { authorizeOnSubscribe: true }` does that for `authScopes`.',
  );
}
