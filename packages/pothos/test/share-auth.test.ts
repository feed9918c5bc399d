// `share` and authorization (issue 15, item 5): a shared feed runs `publish` and the field's
// `resolve` once per notification, with the context of the subscriber who opened it, so an
// auth check placed there would not run per subscriber. Such a field is refused when the schema
// is built; a check in `subscribe` (scope-auth's `authorizeOnSubscribe`) is accepted and runs
// for every subscriber, which the push-mode tests below prove with the real scope-auth plugin.
import { createHub } from '@gqlcast/core';
import { type PushOffer, type PushSource, pushOfferKey } from '@gqlcast/core/push';
import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { type ExecutionResult, type GraphQLSchema, parse, subscribe } from 'graphql';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import GqlcastPlugin from '../src/index.js';

interface Ctx {
  loggedIn: boolean;
}

function schemaWith(options: {
  authorizeOnSubscribe?: boolean;
  field?: Record<string, unknown>;
  typeScopes?: boolean;
}): { schema: () => GraphQLSchema; broadcast: (text: string) => Promise<void> } {
  const channel = createHub().channel('notes', { payload: z.object({ text: z.string() }) });
  const builder = new SchemaBuilder<{ Context: Ctx; AuthScopes: { loggedIn: boolean } }>({
    plugins: [ScopeAuthPlugin, GqlcastPlugin],
    scopeAuth: {
      authorizeOnSubscribe: options.authorizeOnSubscribe ?? false,
      authScopes: (context) => ({ loggedIn: context.loggedIn }),
    },
  });
  builder.queryType({ fields: (t) => ({ ok: t.boolean({ resolve: () => true }) }) });
  builder.subscriptionType({
    ...(options.typeScopes ? { authScopes: { loggedIn: true } } : {}),
    fields: (t) => ({
      membersOnly: t.subscriptionField({
        type: 'String',
        channel,
        share: true,
        publish: (payload: { text: string }) => payload.text,
        ...options.field,
      } as never),
    }),
  });
  return { schema: () => builder.toSchema(), broadcast: (text) => channel.broadcast({ payload: { text } }) };
}

describe('share with a field auth check that runs per notification', () => {
  it('refuses authScopes on a shared field (scope-auth checks them in resolve by default)', () => {
    const { schema } = schemaWith({ field: { authScopes: { loggedIn: true } } });
    expect(schema).toThrow(/Subscription\.membersOnly has `share` and `authScopes`/);
    expect(schema).toThrow(/Remove `share`, or check authorization in `subscribe`/);
  });

  it("refuses a shared field under the Subscription type's own authScopes", () => {
    const { schema } = schemaWith({ typeScopes: true });
    expect(schema).toThrow(/the `authScopes` of type Subscription/);
  });

  it('refuses grantScopes on a shared field, even with authorizeOnSubscribe (grants are computed in resolve)', () => {
    const { schema } = schemaWith({ authorizeOnSubscribe: true, field: { grantScopes: ['loggedIn'] } });
    expect(schema).toThrow(/`grantScopes`/);
  });

  it('accepts the same field without share, and a shared field without auth options', () => {
    expect(schemaWith({ field: { share: undefined, authScopes: { loggedIn: true } } }).schema).not.toThrow();
    expect(schemaWith({}).schema).not.toThrow();
  });
});

/** A stand-in for the gqlcast server's push offer: records the source the field hands over. */
function offer(): PushOffer & { sources: PushSource[] } {
  const sources: PushSource[] = [];
  return { [pushOfferKey]: true, sources, accept: (source) => void sources.push(source) };
}

async function subscribeAs(schema: GraphQLSchema, root: PushOffer, loggedIn: boolean) {
  return subscribe({
    schema,
    document: parse('subscription { membersOnly }'),
    rootValue: root,
    contextValue: { loggedIn },
  });
}

describe('share with authScopes checked in subscribe (authorizeOnSubscribe: true)', () => {
  const build = () => {
    const built = schemaWith({ authorizeOnSubscribe: true, field: { authScopes: { loggedIn: true } } });
    return { schema: built.schema(), broadcast: built.broadcast };
  };

  it('refuses an anonymous subscriber who comes first, and a member after it still receives', async () => {
    const { schema, broadcast } = build();
    const anonymous = offer();
    const denied = (await subscribeAs(schema, anonymous, false)) as ExecutionResult;
    expect(denied.errors?.[0]?.message).toMatch(/Not authorized/);
    expect(anonymous.sources).toEqual([]);

    const member = offer();
    const accepted = await subscribeAs(schema, member, true);
    expect(Symbol.asyncIterator in accepted).toBe(true);
    const received: unknown[] = [];
    member.sources[0]?.connect({ next: (value) => received.push(value), end: () => undefined });
    await broadcast('members only');
    expect(received).toEqual(['members only']);
  });

  it('refuses an anonymous subscriber who comes after a member: it never joins the shared feed', async () => {
    const { schema } = build();
    const member = offer();
    await subscribeAs(schema, member, true);
    expect(member.sources[0]?.shareKey).toBeDefined();
    const anonymous = offer();
    const denied = (await subscribeAs(schema, anonymous, false)) as ExecutionResult;
    expect(denied.errors?.[0]?.message).toMatch(/Not authorized/);
    expect(anonymous.sources).toEqual([]);
  });
});

describe('authScopes without share (checked per notification, per subscriber)', () => {
  it('gives the anonymous subscriber "Not authorized" and the member the data, for the same broadcast', async () => {
    const built = schemaWith({ field: { share: undefined, authScopes: { loggedIn: true } } });
    const schema = built.schema();
    const document = parse('subscription { membersOnly }');
    const open = async (loggedIn: boolean) =>
      (await subscribe({ schema, document, contextValue: { loggedIn } })) as AsyncGenerator<ExecutionResult>;
    const anonymous = await open(false);
    const member = await open(true);
    const nextOf = (results: AsyncGenerator<ExecutionResult>) => results.next().then((item) => item.value);
    const [forAnonymous, forMember] = [nextOf(anonymous), nextOf(member)];
    await built.broadcast('members only');
    expect((await forAnonymous)?.errors?.[0]?.message).toMatch(/Not authorized/);
    expect((await forMember)?.data).toEqual({ membersOnly: 'members only' });
    await anonymous.return(undefined);
    await member.return(undefined);
  });
});
