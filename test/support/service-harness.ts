/**
 * A running authfort-service for transport tests: a real {@link JwksServer}, `startService` on
 * 127.0.0.1 port 0 (gRPC, HTTP, metrics), a gRPC client built from Envoy's official protos, a
 * health client, and small HTTP helpers. Everything closes when the test ends.
 *
 * ```ts
 * const svc = await startHarness(t, { key });
 * const { response } = await svc.check(checkRequest({ authorization: `Bearer ${token}` }));
 * const answer = await svc.get('/auth', { authorization: `Bearer ${token}` });
 * ```
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { credentials, type ServiceError } from '@grpc/grpc-js';
import { pino, type Logger } from 'pino';

import { loadConfig } from '../../src/config/load.js';
import type { ServiceConfig } from '../../src/config/service-config.js';
import type { AuthorizationClient, CheckRequestInit, CheckResponse } from '../../src/grpc/proto.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { OfficialAuthorizationClient, HealthClient } from './envoy-protos.js';
import { JwksServer } from './jwks-server.js';
import type { SigningKey } from './keys.js';

/** The part of a node:test context the harness uses. */
export interface TestContext {
  after(fn: () => unknown): void;
}

/** The outcome of one `Check` call: a response, or the RPC's error. */
export interface CheckOutcome {
  readonly response?: CheckResponse;
  readonly error?: ServiceError;
}

/** One HTTP answer, body read whole. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Options of {@link startHarness}. */
export interface HarnessOptions {
  /** The key the issuer publishes. */
  readonly key: SigningKey;
  /** An issuer to use instead of a fresh one (it is not closed by the harness then). */
  readonly issuer?: JwksServer;
  /** Environment added to the defaults (`AUTHFORT_JWKS_URL`, port-0 addresses, ...). */
  readonly env?: Record<string, string>;
  /** YAML configuration file contents, written to a temporary file. */
  readonly yaml?: string;
  /** Wait for the key set before returning. Default true. */
  readonly waitReady?: boolean;
  /** The logger; default silent. */
  readonly logger?: Logger;
}

/** A started service and clients to talk to it. */
export interface Harness {
  readonly issuer: JwksServer;
  readonly config: ServiceConfig;
  readonly service: RunningService;
  /** `host:port` of the gRPC listener. */
  readonly grpcAddress: string;
  /** The official-protos ext_authz client. */
  readonly client: AuthorizationClient;
  /** A `grpc.health.v1.Health` client. */
  readonly health: HealthClient;
  /** Calls `Check` and resolves with the response or the RPC error. */
  check(request: CheckRequestInit): Promise<CheckOutcome>;
  /** Health status of `service` (default the whole server). */
  healthStatus(service?: string): Promise<string>;
  /** An HTTP request to the service's HTTP port. */
  get(path: string, headers?: RequestHeaders, method?: string): Promise<HttpAnswer>;
  /** `GET /metrics` from the metrics port. */
  metrics(): Promise<string>;
}

/** The environment every harness starts from. */
export function baseEnv(issuer: JwksServer): Record<string, string> {
  return {
    AUTHFORT_JWKS_URL: issuer.jwksUrl,
    AUTHFORT_GRPC_ADDR: '127.0.0.1:0',
    AUTHFORT_HTTP_ADDR: '127.0.0.1:0',
    AUTHFORT_METRICS_ADDR: '127.0.0.1:0',
    AUTHFORT_LOG_LEVEL: 'silent',
    AUTHFORT_JWKS_COOLDOWN_SECONDS: '0',
    AUTHFORT_SHUTDOWN_GRACE_SECONDS: '1',
  };
}

/** The bearer secret the harness's introspection servers demand. */
export const INTROSPECTION_SECRET = 'introspection-secret';

/** The environment that points a service at `server` for introspection. */
export function introspectionEnv(server: { readonly url: string }): Record<string, string> {
  return { AUTHFORT_INTROSPECT_URL: server.url, AUTHFORT_INTROSPECT_SECRET: INTROSPECTION_SECRET };
}

/** A YAML file in a temporary directory, removed when the test ends. */
export function yamlFile(t: TestContext, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'authfort-harness-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'authfort.yaml');
  writeFileSync(path, text);
  return path;
}

/** A pino logger whose JSON lines land in `lines`. */
export function capturingLogger(lines: string[], level = 'debug'): Logger {
  return pino({ level }, { write: (line: string) => void lines.push(line) });
}

/** Request headers; a list sends one header line per value. */
export type RequestHeaders = Record<string, string | string[]>;

/** An HTTP request over a fresh connection (no keep-alive pool between tests). */
export function httpRequest(
  port: number,
  path: string,
  headers: RequestHeaders = {},
  method = 'GET',
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = headers as OutgoingHttpHeaders;
    const options = { host: '127.0.0.1', port, path, method, headers: outgoing, agent: false };
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Calls `Check` on `client`. */
export function callCheck(
  client: AuthorizationClient,
  checkRequest: CheckRequestInit,
): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    client.Check(checkRequest, (error, response) => {
      if (error) resolve({ error });
      else resolve({ response });
    });
  });
}

/** Starts the service for one test; see the module documentation. */
export async function startHarness(t: TestContext, options: HarnessOptions): Promise<Harness> {
  let issuer = options.issuer;
  if (issuer === undefined) {
    const started = await JwksServer.start({ keys: [options.key.publicJwk] });
    t.after(() => started.close());
    issuer = started;
  }

  const env = { ...baseEnv(issuer), ...options.env };
  const configPath = options.yaml === undefined ? undefined : yamlFile(t, options.yaml);
  const config = loadConfig({ env, configPath });
  const service = await startService(config, options.logger ?? pino({ level: 'silent' }));
  t.after(() => service.close(1000));
  if (options.waitReady ?? true) await service.auth.ready;

  const grpcAddress = `127.0.0.1:${service.ports.grpc}`;
  const client = new OfficialAuthorizationClient(grpcAddress, credentials.createInsecure());
  const health = new HealthClient(grpcAddress, credentials.createInsecure());
  t.after(() => {
    client.close();
    health.close();
  });

  return {
    issuer,
    config,
    service,
    grpcAddress,
    client,
    health,
    check: (checkRequest) => callCheck(client, checkRequest),
    healthStatus: (name = '') =>
      new Promise((resolve, reject) => {
        health.check({ service: name }, (error, response) => {
          if (error || response === undefined) reject(error ?? new Error('no response'));
          else resolve(response.status);
        });
      }),
    get: (path, headers, method) => httpRequest(service.ports.http, path, headers, method),
    metrics: async () => {
      const port = service.ports.metrics;
      if (port === undefined) throw new Error('no metrics port');
      return (await httpRequest(port, '/metrics')).body;
    },
  };
}

/** Options of {@link checkRequest}. */
export interface CheckRequestOptions {
  readonly method?: string;
  readonly path?: string;
  readonly contextExtensions?: Record<string, string>;
  /** Send the headers as `header_map` with `raw_value`s (Envoy's `encode_raw_headers`). */
  readonly raw?: boolean;
}

/**
 * A `CheckRequest` as Envoy sends it, for `GET /orders/1` by default. `headers` is a map, or a
 * list of `[name, value]` lines (only with `raw`, where lines may repeat).
 */
export function checkRequest(
  headers: Record<string, string> | readonly (readonly [string, string])[] = {},
  options: CheckRequestOptions = {},
): CheckRequestInit {
  const lines = Array.isArray(headers)
    ? (headers as readonly (readonly [string, string])[])
    : Object.entries(headers);
  const http = options.raw
    ? {
        header_map: {
          headers: lines.map(([key, value]) => ({ key, raw_value: Buffer.from(value, 'utf8') })),
        },
      }
    : { headers: Object.fromEntries(lines) };

  return {
    attributes: {
      request: {
        http: {
          method: options.method ?? 'GET',
          path: options.path ?? '/orders/1',
          host: 'api.example.com',
          scheme: 'https',
          protocol: 'HTTP/1.1',
          ...http,
        },
      },
      context_extensions: options.contextExtensions ?? {},
    },
  };
}

/** The value of `name` among a response's `HeaderValueOption`s, or `undefined`. */
export function headerOf(
  options: readonly { header: { key: string; value: string } | null }[] | undefined,
  name: string,
): string | undefined {
  return options?.find((option) => option.header?.key === name)?.header?.value;
}

/** A parsed `WWW-Authenticate` challenge (RFC 9110 section 11.6.1, one challenge). */
export interface ParsedChallenge {
  readonly scheme: string;
  readonly params: Record<string, string>;
}

/**
 * Parses one challenge `scheme name="value", name=token`, unescaping quoted-pairs. Throws on
 * anything RFC 9110 does not allow, so a test also checks the syntax.
 */
export function parseChallenge(value: string): ParsedChallenge {
  const match = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)(?: +(.*))?$/.exec(value);
  if (match === null) throw new Error(`not a challenge: ${value}`);
  const params: Record<string, string> = {};
  let rest = match[2] ?? '';
  const param =
    /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)=(?:"((?:[^"\\]|\\.)*)"|([!#$%&'*+\-.^_`|~0-9A-Za-z]+))/;
  while (rest !== '') {
    const found = param.exec(rest);
    if (found === null) throw new Error(`bad auth-param at: ${rest}`);
    const name = (found[1] as string).toLowerCase();
    if (name in params) throw new Error(`repeated auth-param ${name}`);
    params[name] = found[2] === undefined ? (found[3] as string) : found[2].replace(/\\(.)/g, '$1');
    rest = rest.slice(found[0].length);
    if (rest === '') break;
    const comma = /^ *, */.exec(rest);
    if (comma === null) throw new Error(`expected a comma at: ${rest}`);
    rest = rest.slice(comma[0].length);
  }
  return { scheme: match[1] as string, params };
}
