/**
 * The introspection client: asks the auth server, in real time, whether a token is still active,
 * for the routes whose policy asks for it (DESIGN.md, "Route policy").
 *
 * It fails closed and fails clear. Only an HTTP 200 JSON answer whose `active` is the boolean
 * `true` (and whose `exp`, if any, is still ahead) counts as active. Every way the question can go
 * unanswered (timeout, network error, another status, a redirect, a body too large, not JSON, no
 * boolean `active`) rejects with `ERR_INTROSPECTION_UNAVAILABLE`, which the service answers with
 * 503 or gRPC UNAVAILABLE: a dependency outage, never a verdict on the token.
 */
import type { Introspector } from '../decision/authorizer.js';
import { AuthFortError, type ErrorContext } from '../errors.js';
import {
  resolveIntrospectionOptions,
  type IntrospectionClientOptions,
  type OptionNames,
  type ResolvedIntrospectionOptions,
} from './options.js';
import { discardBody } from '../upstream/bounded-body.js';
import { readBoundedText, type BodyProblem } from './response-body.js';
import { IntrospectionResultCache, tokenKey } from './result-cache.js';
import {
  answerProblem,
  introspectionRequest,
  readAnswer,
  type IntrospectionAnswer,
} from './wire.js';

/** Counters since the client was created, for the server to turn into metrics. */
export interface IntrospectionStats {
  /** Requests sent to the introspection endpoint. */
  readonly requests: number;
  /** Calls answered from the cache, without a request. */
  readonly cacheHits: number;
  /** Calls that shared a request already in flight for the same token. */
  readonly coalesced: number;
  /** Requests that ended in `ERR_INTROSPECTION_UNAVAILABLE`. */
  readonly failures: number;
  /** Answers currently cached (expired ones are dropped lazily, so this is an upper bound). */
  readonly cached: number;
  /** Requests in flight right now. */
  readonly inFlight: number;
}

/**
 * Asks an AuthFort or RFC 7662 introspection endpoint whether a token is active, with a short
 * answer cache and one request at a time per token. Does not log: it exposes {@link stats}.
 */
export class IntrospectionClient implements Introspector {
  readonly #options: ResolvedIntrospectionOptions;
  readonly #cache: IntrospectionResultCache;
  // Keyed by the token's digest, like the cache, so no raw token is held here either.
  readonly #inFlight = new Map<string, Promise<IntrospectionAnswer>>();
  #requests = 0;
  #cacheHits = 0;
  #coalesced = 0;
  #failures = 0;

  /**
   * @param options - where and how to ask; see {@link IntrospectionClientOptions} for defaults.
   * @param names - what to call each option in configuration errors; default the option names.
   * @throws AuthFortError `ERR_CONFIG_INVALID` when an option is invalid.
   */
  constructor(options: IntrospectionClientOptions, names?: OptionNames) {
    this.#options = resolveIntrospectionOptions(options, names);
    this.#cache = new IntrospectionResultCache(this.#options.cacheMaxEntries);
  }

  /** The endpoint as errors report it: origin and path, without the query string. */
  get url(): string {
    return this.#options.reportedUrl;
  }

  /** A snapshot of the counters. */
  get stats(): IntrospectionStats {
    return {
      requests: this.#requests,
      cacheHits: this.#cacheHits,
      coalesced: this.#coalesced,
      failures: this.#failures,
      cached: this.#cache.size,
      inFlight: this.#inFlight.size,
    };
  }

  /**
   * Whether the auth server reports `token` as active.
   *
   * @param token The bearer token, already verified locally.
   * @returns `true` only for `active: true` with no `exp` in the past; `false` for an inactive
   *   token.
   * @throws AuthFortError as {@link IntrospectionClient.introspect} does.
   */
  async isActive(token: string): Promise<boolean> {
    return (await this.introspect(token)).active;
  }

  /**
   * The auth server's answer for `token`: `active` (only `active: true` with no `exp` in the
   * past), and for an active token the `sub` and `roles` it reports, when it reports them.
   *
   * @param token The bearer token, already verified locally.
   * @throws AuthFortError `ERR_INTROSPECTION_UNAVAILABLE` when no trustworthy answer came, with
   *   the endpoint's `upstreamStatus` (when it answered), the `url` and the `cause`.
   */
  async introspect(token: string): Promise<IntrospectionAnswer> {
    const key = tokenKey(token);

    const cached = this.#cache.get(key, this.#options.clock());
    if (cached !== undefined) {
      this.#cacheHits += 1;
      return cached;
    }

    // Single flight: a burst of requests carrying the same token (a page loading its assets)
    // costs the auth server one request. Everything up to here runs synchronously, so the burst
    // cannot slip past the map.
    const pending = this.#inFlight.get(key);
    if (pending !== undefined) {
      this.#coalesced += 1;
      return pending;
    }

    const request = this.#introspect(token, key).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, request);
    return request;
  }

  async #introspect(token: string, key: string): Promise<IntrospectionAnswer> {
    this.#requests += 1;
    let answer: IntrospectionAnswer;
    try {
      answer = await this.#ask(token);
    } catch (error) {
      // Not cached: the next call asks again, so an outage ends as soon as the server is back.
      this.#failures += 1;
      throw error;
    }

    const nowMs = this.#options.clock();
    const expMs = answer.exp === undefined ? undefined : answer.exp * 1000;
    const active = answer.active && (expMs === undefined || expMs > nowMs);
    const result: IntrospectionAnswer = active ? answer : { active: false };

    if (this.#options.cacheSeconds > 0) {
      const windowEndMs = nowMs + this.#options.cacheSeconds * 1000;
      // An active answer is good only until the token expires; an inactive one stays inactive.
      const untilMs = active && expMs !== undefined ? Math.min(windowEndMs, expMs) : windowEndMs;
      this.#cache.set(key, result, untilMs, nowMs);
    }

    return result;
  }

  async #ask(token: string): Promise<IntrospectionAnswer> {
    const { url, style, authorization, timeoutMs, maxBytes } = this.#options;
    const { headers, body } = introspectionRequest(style, token, authorization);
    // One deadline for the whole exchange: fetch also aborts the body stream when it fires.
    const signal = AbortSignal.timeout(timeoutMs);

    let response: Response;
    try {
      // Redirects are not followed: the configured URL is the endpoint, and following one would
      // hand the token to wherever the redirect points. A moved endpoint is a configuration change.
      response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal });
    } catch (error) {
      const what = signal.aborted ? this.#timedOut() : 'was unreachable or dropped the connection';
      throw this.#unavailable(what, { cause: error });
    }

    const upstreamStatus = response.status;
    // RFC 7662 section 2.2: "a properly formed and authorized query for an inactive or otherwise
    // invalid token ... is not considered an error response"; the server answers 200 with
    // `"active": false`. So any other status (401 for bad credentials per section 2.3, a 5xx,
    // a 3xx) says nothing about the token.
    if (upstreamStatus !== 200) {
      await discardBody(response);
      const what =
        upstreamStatus >= 300 && upstreamStatus < 400
          ? `answered a redirect (HTTP ${upstreamStatus}), which is not followed`
          : `answered HTTP ${upstreamStatus}`;
      // Status 0 is fetch's opaque redirect: there is no real status to report.
      throw this.#unavailable(what, { upstreamStatus: upstreamStatus || undefined });
    }

    const read = await readBoundedText(response, maxBytes);
    if ('problem' in read) {
      const what = this.#bodyFailure(read.problem, signal.aborted);
      throw this.#unavailable(what, { upstreamStatus, cause: read.cause });
    }

    let document: unknown;
    try {
      document = JSON.parse(read.text);
    } catch {
      // The SyntaxError is left out as the cause: V8 quotes the start of the input in its
      // message, and an error page may echo the request, token included.
      throw this.#unavailable('sent a body that is not JSON', { upstreamStatus });
    }

    const problem = answerProblem(document);
    if (problem !== undefined) {
      throw this.#unavailable(`sent an answer that ${problem}`, { upstreamStatus });
    }

    return readAnswer(document);
  }

  #bodyFailure(problem: BodyProblem, timedOut: boolean): string {
    if (problem === 'too-large') return `sent a body over the ${this.#options.maxBytes} byte limit`;
    if (problem === 'not-utf8') return 'sent a body that is not UTF-8';
    return timedOut ? this.#timedOut() : 'failed while the answer was read';
  }

  #timedOut(): string {
    return `did not answer within ${this.#options.timeoutMs} ms`;
  }

  // Messages name what went wrong, never the token or the secret; the URL rides as context.
  #unavailable(what: string, context: Omit<ErrorContext, 'url'>): AuthFortError {
    return new AuthFortError(
      'ERR_INTROSPECTION_UNAVAILABLE',
      `The introspection endpoint ${what}.`,
      {
        ...context,
        url: this.#options.reportedUrl,
      },
    );
  }
}
