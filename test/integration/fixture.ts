/**
 * What the proxy integration tests share: a test issuer, authfort-service itself on loopback
 * ports, an echo upstream standing in for the protected app, tokens, and a client that keeps
 * every `WWW-Authenticate` field a proxy answered.
 *
 * Each file starts one stack and one proxy in `before()` and stops them in `after()` through a
 * {@link Cleanup}, which also runs when `before()` failed halfway.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { pino } from 'pino';

import { loadConfig } from '../../src/config/index.js';
import { type RunningService, startService } from '../../src/server/service.js';
import { type EchoUpstream, startEchoUpstream } from '../support/echo-upstream.js';
import { JwksServer } from '../support/jwks-server.js';
import { authFortClaims, generateSigningKey, type SigningKey, signToken } from '../support/keys.js';

/** Undoes set-up steps in reverse order; every step runs even when an earlier one throws. */
export class Cleanup {
  readonly #steps: (() => unknown)[] = [];

  /** Registers a step, to run before the steps registered earlier. */
  defer(step: () => unknown): void {
    this.#steps.push(step);
  }

  /** Runs and forgets every step; rethrows what failed once all have run. */
  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (let step = this.#steps.pop(); step !== undefined; step = this.#steps.pop()) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'cleanup failed');
  }
}

/**
 * Route rules every test service loads. The proxies never mention /reports, so a 403 there can
 * only come from authfort matching the original path the proxy reported (Envoy's attributes,
 * NGINX's X-Original-URI, Caddy's X-Forwarded-Uri, Envoy HTTP mode's /auth/<path>).
 */
const ROUTES_YAML = `routes:
  - path: /reports/**
    roles: [auditor]
`;

/**
 * Ways to write /reports/q1 that the /reports rule must still catch, whatever the proxy left
 * untidied in the path it reported: an empty segment, an escaped letter, dot segments, and a
 * `;parameter` (which Tomcat and Jetty cut off, `..;` included), and other letter case (which
 * Express and IIS ignore).
 */
export const REPORTS_SPELLINGS: readonly string[] = [
  '/reports/q1',
  '//reports/q1',
  '/%72eports/q1',
  '/x/../reports/q1',
  '/reports/./q1',
  '/reports;x/q1',
  '/x/..;/reports/q1',
  '/Reports/q1',
  '/REPORTS/q1',
];

/** A running authfort-service and the issuer whose key set it trusts. */
export interface Authfort {
  issuer: JwksServer;
  service: RunningService;
  /** Closes the service now (it is closed on cleanup anyway). Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startAuthfort}. */
export interface AuthfortOptions {
  /** The key the issuer publishes. */
  key: SigningKey;
  /** Answer every key set request with this status from the start, so no key set ever loads. */
  jwksStatus?: number;
  /** More `AUTHFORT_*` settings, over the fixture's own (e.g. a key set retry every second). */
  env?: Readonly<Record<string, string>>;
}

/**
 * Starts an issuer and authfort-service on 127.0.0.1 with port 0 everywhere, with email left
 * out of the required claims (so a token without it is allowed and shows that a client-sent
 * `x-user-email` never survives) and {@link ROUTES_YAML} as its YAML file. Waits for the first
 * key set unless `jwksStatus` makes that impossible.
 */
export async function startAuthfort(cleanup: Cleanup, options: AuthfortOptions): Promise<Authfort> {
  const issuer = await JwksServer.start({ keys: [options.key.publicJwk] });
  cleanup.defer(() => issuer.close());
  if (options.jwksStatus !== undefined) {
    issuer.respond(issuer.jwksPath, { status: options.jwksStatus, body: { error: 'down' } });
  }

  const configDir = await mkdtemp(path.join(os.tmpdir(), 'authfort-config-'));
  cleanup.defer(() => rm(configDir, { recursive: true, force: true }));
  const configFile = path.join(configDir, 'authfort.yaml');
  await writeFile(configFile, ROUTES_YAML);

  const config = loadConfig({
    env: {
      AUTHFORT_JWKS_URL: issuer.jwksUrl,
      AUTHFORT_GRPC_ADDR: '127.0.0.1:0',
      AUTHFORT_HTTP_ADDR: '127.0.0.1:0',
      AUTHFORT_METRICS_ADDR: '127.0.0.1:0',
      AUTHFORT_LOG_LEVEL: 'silent',
      AUTHFORT_REQUIRED_CLAIMS: 'sub,roles,ver,iat,exp,iss',
      AUTHFORT_CONFIG: configFile,
      ...options.env,
    },
  });
  const service = await startService(config, pino({ level: 'silent' }));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= service.close(1_000));
  cleanup.defer(stop);

  if (options.jwksStatus === undefined) {
    await bounded(service.auth.ready, 10_000, 'authfort did not load the key set');
  }
  return { issuer, service, stop };
}

/** Tokens of the test issuer, by who holds them. */
export interface Tokens {
  /** `user-1`, ada@example.com, roles `user`. */
  user: string;
  /** `admin-1`, grace@example.com, roles `admin,user`. */
  admin: string;
  /** `auditor-1`, roles `auditor`: the role the /reports rule asks for. */
  auditor: string;
  /** `user-2`, roles `user`, and no `email` claim at all. */
  noEmail: string;
  /** Expired ten minutes ago, far beyond the default 30 s of clock skew. */
  expired: string;
  /** Not a JWT. */
  garbage: string;
}

/** Signs the {@link Tokens} with `key`. */
export async function signTokens(key: SigningKey): Promise<Tokens> {
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>) => signToken(key, { claims });
  return {
    user: await sign(authFortClaims({ sub: 'user-1', email: 'ada@example.com', roles: ['user'] })),
    admin: await sign(
      authFortClaims({ sub: 'admin-1', email: 'grace@example.com', roles: ['admin', 'user'] }),
    ),
    auditor: await sign(
      authFortClaims({ sub: 'auditor-1', email: 'audit@example.com', roles: ['auditor'] }),
    ),
    noEmail: await sign(authFortClaims({ sub: 'user-2', email: undefined, roles: ['user'] })),
    expired: await sign(authFortClaims({ iat: now - 3_600, exp: now - 600 })),
    garbage: 'garbage',
  };
}

/** Everything behind a proxy under test. */
export interface Stack extends Authfort {
  key: SigningKey;
  tokens: Tokens;
  upstream: EchoUpstream;
}

/** Starts the {@link Stack}: issuer, authfort-service, echo upstream; tokens signed. */
export async function startStack(cleanup: Cleanup): Promise<Stack> {
  const key = await generateSigningKey();
  const authfort = await startAuthfort(cleanup, { key });
  const upstream = await startEchoUpstream();
  cleanup.defer(() => upstream.close());
  return { ...authfort, key, tokens: await signTokens(key), upstream };
}

/** `Authorization: Bearer <token>`. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Identity headers a client tries to smuggle in. */
export const SPOOFED: Readonly<Record<string, string>> = {
  'x-user-id': 'evil',
  'x-user-email': 'evil',
  'x-user-roles': 'admin',
};

/** The challenge for a request without a token (RFC 6750 section 3.1: no error attribute). */
export const MISSING_TOKEN_CHALLENGE = 'Bearer realm="authfort"';

/** The challenge for a token that does not verify; the description is not asserted. */
export const INVALID_TOKEN_CHALLENGE =
  /^Bearer realm="authfort", error="invalid_token", error_description="[^"]+"$/;

/** The challenge for a token without the route's role; the description is not asserted. */
export const INSUFFICIENT_SCOPE_CHALLENGE =
  /^Bearer realm="authfort", error="insufficient_scope", error_description="[^"]+"$/;

/** The managed identity headers as the upstream got them; `undefined` means absent. */
export interface Identity {
  id: string | undefined;
  email: string | undefined;
  roles: string | undefined;
}

/** Asserts the upstream got exactly this identity (an absent header must be absent). */
export function assertIdentity(headers: http.IncomingHttpHeaders | undefined, want: Identity) {
  assert.ok(headers, 'the upstream received no request');
  assert.deepEqual(
    { id: headers['x-user-id'], email: headers['x-user-email'], roles: headers['x-user-roles'] },
    want,
  );
}

/** Requests the upstream receives from now on. */
export function upstreamRequestsFrom(upstream: EchoUpstream): () => EchoUpstream['requests'] {
  const start = upstream.requests.length;
  return () => upstream.requests.slice(start);
}

/** What a proxy answered. */
export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Every `WWW-Authenticate` field, in order (Node would join repeated ones). */
  challenges: string[];
  body: string;
}

/**
 * Sends one request on its own connection (nothing kept alive past a test) and reads the whole
 * answer. The path goes out byte for byte as written (`/a/../b`, `//b`, `/%62`): `new URL()`
 * would tidy it up, and proxies must be tested on what attackers send. Gives up after 10 s.
 *
 * @param url `http://127.0.0.1:<port><path>`
 */
export function send(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Reply> {
  const target = /^http:\/\/127\.0\.0\.1:(\d+)(\/.*)$/.exec(url);
  if (target === null) throw new Error(`not a loopback URL with a path: ${url}`);
  const options: http.RequestOptions = {
    host: '127.0.0.1',
    port: Number(target[1]),
    path: target[2],
    method,
    headers,
    agent: false,
    timeout: 10_000,
  };
  return new Promise((resolve, reject) => {
    const req = http.request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          challenges: fieldValues(res.rawHeaders, 'www-authenticate'),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.once('error', reject);
    req.end();
  });
}

function fieldValues(rawHeaders: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === name) values.push(rawHeaders[i + 1] as string);
  }
  return values;
}

/** `promise`, or a rejection naming `what` after `ms` milliseconds. */
export async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const controller = new AbortController();
  const timeout = delay(ms, undefined, { signal: controller.signal }).then(() => {
    throw new Error(`${what} within ${ms} ms`);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    controller.abort();
    timeout.catch(() => undefined);
  }
}
