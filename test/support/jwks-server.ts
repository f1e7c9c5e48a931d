/**
 * A real HTTP issuer for tests: a node:http server on 127.0.0.1, port 0, that serves a mutable
 * JSON Web Key Set and an OpenID discovery document, counts requests per path, and can be told
 * to misbehave per response (status, delay, hang, dropped connection, garbage, huge body,
 * `Cache-Control`, redirects).
 *
 * ```ts
 * const issuer = await JwksServer.start({ keys: [key.publicJwk] });
 * after(() => issuer.close());
 * issuer.respondOnce(issuer.jwksPath, { status: 503 });   // the next key set request fails
 * issuer.publish(newKey.publicJwk);                       // rotation
 * assert.equal(issuer.requestCount(issuer.jwksPath), 2);
 * ```
 *
 * For a cross-origin redirect, start a second server and redirect to its URL.
 */

import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import type { JWK } from 'jose';

/** How to answer one request. Everything is optional; `{}` serves the route's own document. */
export interface ResponsePlan {
  /** HTTP status. Default 200, or 302 with {@link ResponsePlan.redirectTo}. */
  status?: number;
  /** Response header fields, added to (or replacing) the route's defaults. */
  headers?: Record<string, string>;
  /**
   * The body: a string or bytes go out as is, anything else as JSON. Default: the route's own
   * document (the key set, the discovery document, or empty for other paths).
   */
  body?: unknown;
  /** Wait this long before answering, in milliseconds. */
  delayMs?: number;
  /** Never answer (the request hangs until the client gives up or the server closes). */
  hang?: boolean;
  /** Drop the connection without an answer: a network error for the client. */
  destroy?: boolean;
  /** Answer a redirect here: an absolute URL or a path on this server. */
  redirectTo?: string;
  /**
   * Send this many bytes of filler (`{"keys":[` followed by spaces) in 16 KiB chunks without a
   * `Content-Length`, to test a size cap that counts streamed bytes.
   */
  streamBytes?: number;
}

/** A raw handler for paths the plans do not cover (an introspection endpoint, ...). */
export type RouteHandler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/** One request the server received. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Path with the query string. */
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** Options of {@link JwksServer.start}. */
export interface JwksServerOptions {
  /** The published keys (public JWKs). Default none. */
  keys?: JWK[];
  /**
   * `Cache-Control` of the key set response; `undefined` sends none. Default AuthFort's
   * `public, max-age=3600`.
   */
  cacheControl?: string;
  /** Path of the key set. Default `/.well-known/jwks.json`. */
  jwksPath?: string;
  /** Path of the discovery document. Default `/.well-known/openid-configuration`. */
  discoveryPath?: string;
}

const DEFAULT_CACHE_CONTROL = 'public, max-age=3600';

/** A test issuer; see the module documentation. Always `close()` it (e.g. in `afterEach`). */
export class JwksServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Path of the key set. */
  readonly jwksPath: string;
  /** Path of the discovery document. */
  readonly discoveryPath: string;
  /** The published keys; replace or mutate freely (or use {@link JwksServer.publish}). */
  keys: JWK[];
  /** `Cache-Control` of the key set response; `undefined` sends none. */
  cacheControl: string | undefined;
  /** The discovery document; default `{ issuer: origin, jwks_uri: jwksUrl }`. */
  discovery: Record<string, unknown>;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];

  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #queued = new Map<string, ResponsePlan[]>();
  readonly #standing = new Map<string, ResponsePlan | RouteHandler>();

  private constructor(server: http.Server, options: JwksServerOptions) {
    const { port } = server.address() as AddressInfo;
    this.#server = server;
    this.origin = `http://127.0.0.1:${port}`;
    this.jwksPath = options.jwksPath ?? '/.well-known/jwks.json';
    this.discoveryPath = options.discoveryPath ?? '/.well-known/openid-configuration';
    this.keys = [...(options.keys ?? [])];
    this.cacheControl = 'cacheControl' in options ? options.cacheControl : DEFAULT_CACHE_CONTROL;
    this.discovery = { issuer: this.origin, jwks_uri: this.jwksUrl };
  }

  /**
   * Starts a server on 127.0.0.1 with a free port.
   *
   * @param options Initial keys, `Cache-Control` and paths.
   */
  static async start(options: JwksServerOptions = {}): Promise<JwksServer> {
    const server = http.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');

    const issuer = new JwksServer(server, options);
    server.on('connection', (socket) => issuer.#track(socket));
    server.on('request', (request, response) => issuer.#handle(request, response));
    return issuer;
  }

  /** URL of the key set. */
  get jwksUrl(): string {
    return this.url(this.jwksPath);
  }

  /** URL of the discovery document. */
  get discoveryUrl(): string {
    return this.url(this.discoveryPath);
  }

  /**
   * Absolute URL of a path on this server.
   *
   * @param path Starting with `/`.
   */
  url(path: string): string {
    return `${this.origin}${path}`;
  }

  /**
   * Adds keys to the set, replacing any with the same `kid`.
   *
   * @param jwks Public JWKs.
   */
  publish(...jwks: JWK[]): void {
    const kids = new Set(jwks.map((jwk) => jwk.kid));
    this.keys = [...this.keys.filter((jwk) => !kids.has(jwk.kid)), ...jwks];
  }

  /**
   * Removes the keys with these `kid`s from the set.
   *
   * @param kids Key ids.
   */
  unpublish(...kids: string[]): void {
    this.keys = this.keys.filter((jwk) => jwk.kid === undefined || !kids.includes(jwk.kid));
  }

  /**
   * Answers every request to `path` this way from now on (until {@link JwksServer.reset}).
   * Plans queued with {@link JwksServer.respondOnce} still go first.
   *
   * @param path Path without query string.
   * @param plan A plan, or a raw handler.
   */
  respond(path: string, plan: ResponsePlan | RouteHandler): void {
    this.#standing.set(path, plan);
  }

  /**
   * Holds every answer to the key set path until `release()`: `asked` resolves at the first
   * request, so a test can look at a service that is waiting for its first key set.
   */
  holdKeySet(): { asked: Promise<void>; release(): void } {
    const held: (() => void)[] = [];
    let released = false;
    let resolveAsked: () => void = () => undefined;
    const asked = new Promise<void>((resolve) => {
      resolveAsked = resolve;
    });
    const answer = (response: http.ServerResponse) =>
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: this.keys }));
    this.respond(this.jwksPath, (_request, response) => {
      resolveAsked();
      if (released) answer(response);
      else held.push(() => answer(response));
    });
    return {
      asked,
      release() {
        released = true;
        for (const send of held.splice(0)) send();
      },
    };
  }

  /**
   * Answers the next requests to `path` with these plans, one each, in order; then back to the
   * standing behaviour.
   *
   * @param path Path without query string.
   * @param plans One plan per request.
   */
  respondOnce(path: string, ...plans: ResponsePlan[]): void {
    this.#queued.set(path, [...(this.#queued.get(path) ?? []), ...plans]);
  }

  /**
   * Forgets standing and queued plans for `path`, or for every path.
   *
   * @param path Path without query string; default all.
   */
  reset(path?: string): void {
    if (path === undefined) {
      this.#standing.clear();
      this.#queued.clear();
      return;
    }
    this.#standing.delete(path);
    this.#queued.delete(path);
  }

  /**
   * Requests received for `path` (without query string), or in total.
   *
   * @param path Path; default all paths.
   */
  requestCount(path?: string): number {
    if (path === undefined) return this.requests.length;
    return this.requests.filter((request) => request.path === path).length;
  }

  /** Stops the server: drops every connection, hung ones included, and cancels delays. */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const closed = once(this.#server, 'close');
    this.#server.close();
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
  }

  #handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const url = request.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    this.requests.push({ method: request.method ?? 'GET', path, url, headers: request.headers });

    const plan = this.#queued.get(path)?.shift() ?? this.#standing.get(path) ?? {};
    if (typeof plan === 'function') {
      plan(request, response);
      return;
    }

    if (plan.hang) return;

    const answer = () => this.#answer(path, plan, request, response);
    if (!plan.delayMs) {
      answer();
      return;
    }

    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      answer();
    }, plan.delayMs);
    this.#timers.add(timer);
  }

  #answer(
    path: string,
    plan: ResponsePlan,
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): void {
    if (plan.destroy) {
      request.socket.destroy();
      return;
    }

    if (plan.redirectTo !== undefined) {
      response.writeHead(plan.status ?? 302, { location: plan.redirectTo, ...plan.headers });
      response.end();
      return;
    }

    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (path === this.jwksPath && this.cacheControl !== undefined) {
      headers['cache-control'] = this.cacheControl;
    }
    Object.assign(headers, plan.headers);

    if (plan.streamBytes !== undefined) {
      response.writeHead(plan.status ?? 200, headers);
      streamFiller(response, plan.streamBytes);
      return;
    }

    const body = plan.body === undefined ? this.#document(path) : plan.body;
    const status = plan.status ?? (body === undefined ? 404 : 200);
    response.writeHead(status, headers);
    if (body === undefined) response.end();
    else if (typeof body === 'string' || body instanceof Uint8Array) response.end(body);
    else response.end(JSON.stringify(body));
  }

  #document(path: string): unknown {
    if (path === this.jwksPath) return { keys: this.keys };
    if (path === this.discoveryPath) return this.discovery;
    return undefined;
  }
}

function streamFiller(response: http.ServerResponse, total: number): void {
  const chunk = Buffer.alloc(16 * 1024, ' ');
  const first = Buffer.from(chunk);
  first.write('{"keys":[');
  let sent = 0;

  const writeMore = (): void => {
    while (sent < total && !response.destroyed) {
      const size = Math.min(chunk.length, total - sent);
      const piece = (sent === 0 ? first : chunk).subarray(0, size);
      sent += size;
      if (!response.write(piece)) {
        response.once('drain', writeMore);
        return;
      }
    }
    if (!response.destroyed) response.end();
  };
  writeMore();
}
