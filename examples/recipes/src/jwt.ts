// Recipe: JWT authentication with token expiry, the token in `connectionParams`.
// - onConnect verifies the token, keeps the user in connection state, and
//   closes the connection with 4403 when the token expires: graphql-ws's client
//   (and @gqlcast/client) reconnect and call `connectionParams` again, so a
//   fresh token is sent and subscriptions resume;
// - onOperation refuses operations from a connection whose token has expired
//   (belt and braces: the timer may fire a moment late).
// HS256 with node:crypto keeps the recipe free of dependencies; in production,
// prefer a maintained library such as `jose` (key rotation, other algorithms).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Layer } from '@gqlcast/core';
import { createGraphqlWsServer, type DefaultContext } from '@gqlcast/server';
import { createRecipeApp } from './schema.js';

export interface Claims {
  /** The user. */
  sub: string;
  /** Expiry, in seconds since the epoch (RFC 7519). */
  exp: number;
}

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signature = (data: string, secret: string) => createHmac('sha256', secret).update(data).digest();

export function signToken(claims: Claims, secret: string): string {
  const data = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${data}.${signature(data, secret).toString('base64url')}`;
}

/** The token's claims if its signature is right and it has not expired; otherwise null. */
export function verifyToken(token: unknown, secret: string, now = Date.now()): Claims | null {
  if (typeof token !== 'string') return null;
  const [header, body, given] = token.split('.');
  if (header === undefined || body === undefined || given === undefined) return null;
  const expected = signature(`${header}.${body}`, secret);
  const actual = Buffer.from(given, 'base64url');
  // Constant time, so the comparison does not leak how much of a forged signature was right.
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  try {
    if (JSON.parse(Buffer.from(header, 'base64url').toString()).alg !== 'HS256') return null;
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Partial<Claims>;
    if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return null;
    return claims.exp * 1000 > now ? { sub: claims.sub, exp: claims.exp } : null;
  } catch {
    return null;
  }
}

interface Session {
  user?: string;
  expiresAt?: number;
  expiry?: NodeJS.Timeout;
}

export function createJwtServer(options: { secret: string; layer?: Layer }) {
  const { hub, schema } = createRecipeApp(options);
  const gql = createGraphqlWsServer<DefaultContext<Session>, Session>({
    schema,
    onConnect: (connection, payload) => {
      const claims = verifyToken(payload?.token, options.secret);
      if (claims === null) return false; // closes with 4403 Forbidden
      connection.state.user = claims.sub;
      connection.state.expiresAt = claims.exp * 1000;
      // 4403: the client reconnects with a fresh token from its connectionParams function.
      connection.state.expiry = setTimeout(
        () => connection.close(4403, 'Token expired'),
        connection.state.expiresAt - Date.now(),
      );
    },
    onOperation: (connection) => {
      if ((connection.state.expiresAt ?? 0) <= Date.now()) throw new Error('Token expired');
    },
    onDisconnect: (connection) => {
      clearTimeout(connection.state.expiry);
    },
  });
  return { gql, hub };
}
