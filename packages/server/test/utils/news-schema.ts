// A hub with one `news` channel and a Pothos schema over it, for the telemetry and metrics tests:
// `news` skips what starts with "-" (a per-subscriber publish), `shared` is shared (`share`),
// `failing` has a publish that throws on "boom".
import { createHub, SKIP, silentLogger } from '@gqlcast/core';
import GqlcastPlugin from '@gqlcast/pothos';
import SchemaBuilder from '@pothos/core';
import { z } from 'zod';

export function newsFixture(queueLimit?: number) {
  const hub = createHub({ logger: silentLogger, queueLimit });
  const news = hub.channel('news', { payload: z.object({ text: z.string() }) });
  const builder = new SchemaBuilder<{ Context: object }>({ plugins: [GqlcastPlugin] });
  builder.queryType({ fields: (t) => ({ hello: t.string({ resolve: () => 'hi' }) }) });
  const News = builder
    .objectRef<{ text: string }>('News')
    .implement({ fields: (t) => ({ text: t.exposeString('text') }) });
  builder.subscriptionType({
    fields: (t) => ({
      news: t.subscriptionField({
        type: News,
        channel: news,
        publish: (payload) => (payload.text.startsWith('-') ? SKIP : { text: payload.text }),
      }),
      shared: t.subscriptionField({ type: News, channel: news, share: true }),
      failing: t.subscriptionField({
        type: News,
        channel: news,
        publish: (payload) => {
          if (payload.text === 'boom') throw new Error('publish failed on boom');
          return payload;
        },
      }),
    }),
  });
  return { hub, news, schema: builder.toSchema() };
}
