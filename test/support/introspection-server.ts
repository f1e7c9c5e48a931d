/**
 * A real introspection endpoint on 127.0.0.1 for tests: AuthFort's JSON style or RFC 7662's form
 * style, with credential checks, a request log, and faults on demand.
 *
 *   const server = await IntrospectionServer.start({ secret: 's3cret' });
 *   t.after(() => server.close());
 *   server.setActive('token-a');                  // answers the AuthFort shape, active: true
 *   server.fail({ kind: 'status', status: 500 }); // until server.fail(undefined)
 */
import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** The endpoint's wire style, as in `IntrospectionClientOptions.style`. */
export type ServerStyle = 'authfort' | 'rfc7662';

/** What the server was configured with. */
export interface IntrospectionServerOptions {
  /** Default `authfort`. */
  readonly style?: ServerStyle;
  /**
   * The credential it demands: the bearer secret (`authfort`) or `client_id:client_secret`
   * (`rfc7662`, checked after form-decoding both parts). Default: none demanded.
   */
  readonly secret?: string;
  /** Path of the endpoint. Default `/auth/introspect`. */
  readonly path?: string;
  /** Clock in milliseconds, for the `iat` and `exp` of default answers. Default `Date.now`. */
  readonly clock?: () => number;
}

/** One request the server received, as it arrived. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The token the body carried, when it could be read. */
  readonly token: string | undefined;
}

/** A way to misbehave, until cleared with `fail(undefined)`. */
export type Fault =
  /** Answer this status (and body, default a small JSON error). */
  | { readonly kind: 'status'; readonly status: number; readonly body?: string }
  /** Wait this long before answering normally. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Answer 200 with this raw body; `chunked` leaves out Content-Length. */
  | { readonly kind: 'body'; readonly body: string | Uint8Array; readonly chunked?: boolean }
  /** Send the status line and the start of a body, then nothing more until the server closes. */
  | { readonly kind: 'stall' }
  /** Answer a redirect to `location` (default status 302). */
  | { readonly kind: 'redirect'; readonly location: string; readonly status?: number };

/** A running introspection endpoint. */
export class IntrospectionServer {
  /** The full endpoint URL, to pass as the client's `url`. */
  readonly url: string;
  /** Every request received, in order, including refused ones. */
  readonly requests: ReceivedRequest[] = [];

  readonly #server: Server;
  readonly #options: Required<Omit<IntrospectionServerOptions, 'secret'>> & { secret?: string };
  readonly #answers = new Map<string, Record<string, unknown>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #fault: Fault | undefined;

  private constructor(server: Server, options: IntrospectionServerOptions) {
    this.#server = server;
    this.#options = {
      style: options.style ?? 'authfort',
      path: options.path ?? '/auth/introspect',
      clock: options.clock ?? Date.now,
      secret: options.secret,
    };
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}${this.#options.path}`;
  }

  /** Starts a server on 127.0.0.1, on a free port. */
  static async start(options: IntrospectionServerOptions = {}): Promise<IntrospectionServer> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');

    const introspection = new IntrospectionServer(server, options);
    server.on('request', (request, response) => introspection.#handle(request, response));
    return introspection;
  }

  /** Number of requests received. */
  get requestCount(): number {
    return this.requests.length;
  }

  /** The last request received; throws when there is none. */
  get lastRequest(): ReceivedRequest {
    const last = this.requests.at(-1);
    if (last === undefined) throw new Error('the introspection server received no request');
    return last;
  }

  /**
   * Makes `token` active, with AuthFort's answer shape (`exp` one hour ahead) merged with `extra`.
   */
  setActive(token: string, extra: Record<string, unknown> = {}): this {
    const nowSeconds = Math.floor(this.#options.clock() / 1000);
    return this.setAnswer(token, {
      active: true,
      sub: 'user-1',
      email: 'user-1@example.com',
      name: 'User One',
      roles: ['user'],
      token_version: 1,
      iat: nowSeconds,
      exp: nowSeconds + 3600,
      iss: 'authfort',
      ...extra,
    });
  }

  /** Makes `token` inactive: `{"active": false}` with HTTP 200, as AuthFort and RFC 7662 answer. */
  setInactive(token: string): this {
    return this.setAnswer(token, { active: false });
  }

  /** Answers exactly `answer` (HTTP 200) for `token`. Unknown tokens read `{"active": false}`. */
  setAnswer(token: string, answer: Record<string, unknown>): this {
    this.#answers.set(token, answer);
    return this;
  }

  /** Misbehaves from now on, or behaves again with `undefined`. */
  fail(fault: Fault | undefined): this {
    this.#fault = fault;
    return this;
  }

  /** Stops the server, dropping open connections and pending delayed answers. */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const closed = once(this.#server, 'close');
    this.#server.close();
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');

    const token = this.#tokenOf(request, body);
    this.requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      body,
      token,
    });

    const fault = this.#fault;
    if (fault?.kind === 'delay') {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#answer(request, response, token);
      }, fault.ms);
      this.#timers.add(timer);
      response.on('close', () => {
        clearTimeout(timer);
        this.#timers.delete(timer);
      });
      return;
    }

    if (fault?.kind === 'status') {
      send(response, fault.status, fault.body ?? JSON.stringify({ error: 'server_error' }));
      return;
    }

    if (fault?.kind === 'stall') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"active":');
      return;
    }

    if (fault?.kind === 'redirect') {
      response.writeHead(fault.status ?? 302, { location: fault.location }).end();
      return;
    }

    if (fault?.kind === 'body') {
      if (fault.chunked) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write(fault.body);
        response.end();
        return;
      }
      send(response, 200, fault.body);
      return;
    }

    this.#answer(request, response, token);
  }

  #answer(request: IncomingMessage, response: ServerResponse, token: string | undefined): void {
    if (request.method !== 'POST') {
      send(response, 405, JSON.stringify({ error: 'method_not_allowed' }));
      return;
    }

    if (request.url !== this.#options.path) {
      send(response, 404, JSON.stringify({ error: 'not_found' }));
      return;
    }

    // RFC 7662 section 2.3: bad client credentials get a 401, as RFC 6749 section 5.2 describes.
    if (!this.#authorized(request.headers.authorization)) {
      const scheme = this.#options.style === 'authfort' ? 'Bearer' : 'Basic';
      response.setHeader('www-authenticate', `${scheme} realm="introspection"`);
      send(response, 401, JSON.stringify({ error: 'invalid_client' }));
      return;
    }

    if (token === undefined) {
      send(response, 400, JSON.stringify({ error: 'invalid_request' }));
      return;
    }

    send(response, 200, JSON.stringify(this.#answers.get(token) ?? { active: false }));
  }

  #authorized(header: string | undefined): boolean {
    const secret = this.#options.secret;
    if (secret === undefined) return true;
    if (header === undefined) return false;

    if (this.#options.style === 'authfort') return header === `Bearer ${secret}`;

    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
    if (match?.[1] === undefined) return false;
    const userPass = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = userPass.indexOf(':');
    if (colon < 0) return false;

    const expectedColon = secret.indexOf(':');
    return (
      formDecode(userPass.slice(0, colon)) === secret.slice(0, expectedColon) &&
      formDecode(userPass.slice(colon + 1)) === secret.slice(expectedColon + 1)
    );
  }

  #tokenOf(request: IncomingMessage, body: string): string | undefined {
    const type = request.headers['content-type'] ?? '';
    if (this.#options.style === 'authfort') {
      if (!type.startsWith('application/json')) return undefined;
      try {
        const parsed: unknown = JSON.parse(body);
        const token = (parsed as { token?: unknown } | null)?.token;
        return typeof token === 'string' ? token : undefined;
      } catch {
        return undefined;
      }
    }

    if (!type.startsWith('application/x-www-form-urlencoded')) return undefined;
    return new URLSearchParams(body).get('token') ?? undefined;
  }
}

function send(response: ServerResponse, status: number, body: string | Uint8Array): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(body);
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/**
 * Starts an {@link IntrospectionServer} that closes when the test ends.
 *
 * @param t The test context (`node:test`), whose `after` hook closes the server.
 * @param options The server's options.
 */
export async function serveIntrospection(
  t: { after(fn: () => Promise<void>): void },
  options: IntrospectionServerOptions = {},
): Promise<IntrospectionServer> {
  const server = await IntrospectionServer.start(options);
  t.after(() => server.close());
  return server;
}
