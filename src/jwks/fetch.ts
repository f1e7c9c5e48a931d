/**
 * One bounded HTTP GET for the key set or the discovery document: a deadline, a size cap and
 * same-origin redirects only. Every failure comes out as an {@link AuthFortError} that keeps the
 * upstream status and URL.
 *
 * Redirects are followed by hand (`redirect: 'manual'`) because `fetch` would follow them to any
 * origin: a key set is a trust anchor, and a redirect to another host (an open redirect on the
 * issuer, a compromised CDN rule) must not get to choose which keys verify tokens.
 */

import { AuthFortError, isAuthFortError } from '../errors.js';
import { discardBody, readBoundedBody } from '../upstream/bounded-body.js';

/** How many same-origin redirects one request follows before it fails. */
export const MAX_REDIRECTS = 3;

// RFC 9110 section 15.4: the redirect statuses that carry a Location to follow.
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Limits and options of one {@link fetchBounded} call. */
export interface FetchBoundedOptions {
  /** Deadline for the whole exchange, redirects and body included, in milliseconds. */
  readonly timeoutMs: number;
  /** Largest body accepted, in bytes, counted after any content decoding. */
  readonly maxBytes: number;
  /** The `Accept` header to send. */
  readonly accept: string;
  /** Aborts the request early (the key set's `close()`); reported as `ERR_JWKS_FETCH_FAILED`. */
  readonly signal?: AbortSignal;
}

/** A successful (HTTP 200) response, fully read. */
export interface FetchedBody {
  /** The body, at most `maxBytes` long. */
  readonly bytes: Uint8Array;
  /** The response's header fields. */
  readonly headers: Headers;
  /** The URL that answered, after same-origin redirects; without credentials. */
  readonly url: string;
}

/**
 * GETs `url` and reads the whole body, within the limits.
 *
 * @param url An absolute `http:` or `https:` URL.
 * @param options Deadline, size cap, `Accept` header and an optional abort signal.
 * @throws AuthFortError
 * - `ERR_JWKS_TIMEOUT` when the deadline passes;
 * - `ERR_JWKS_REDIRECT` when a redirect points to another origin (scheme, host or port);
 * - `ERR_JWKS_TOO_LARGE` when `Content-Length` or the bytes read exceed `maxBytes`;
 * - `ERR_JWKS_FETCH_FAILED` for a network error, a status other than 200 (`upstreamStatus` set),
 *   a redirect without a usable `Location`, more than {@link MAX_REDIRECTS} redirects, or an
 *   abort through `signal`.
 */
export async function fetchBounded(
  url: string,
  options: FetchBoundedOptions,
): Promise<FetchedBody> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  let current = new URL(url);

  try {
    for (let redirects = 0; ; redirects++) {
      const response = await fetch(current, {
        redirect: 'manual',
        signal,
        headers: { accept: options.accept },
      });

      if (REDIRECT_STATUSES.has(response.status)) {
        await discardBody(response);
        current = nextLocation(current, response, redirects);
        continue;
      }

      const bytes = await readBody(current, response, options.maxBytes);
      return { bytes, headers: response.headers, url: redactUrl(current) };
    }
  } catch (error) {
    if (isAuthFortError(error)) throw error;

    const context = { url: redactUrl(current), cause: error };
    if (deadline.aborted) throw new AuthFortError('ERR_JWKS_TIMEOUT', undefined, context);

    throw new AuthFortError(
      'ERR_JWKS_FETCH_FAILED',
      `The request to ${context.url} failed.`,
      context,
    );
  }
}

function nextLocation(current: URL, response: Response, redirectsSoFar: number): URL {
  const context = { url: redactUrl(current), upstreamStatus: response.status };
  const location = response.headers.get('location');
  const next = location === null ? undefined : parseUrl(location, current);

  if (next === undefined) {
    throw new AuthFortError(
      'ERR_JWKS_FETCH_FAILED',
      'The key set request was redirected without a usable Location.',
      context,
    );
  }

  if (next.origin !== current.origin) {
    throw new AuthFortError(
      'ERR_JWKS_REDIRECT',
      `The request to ${context.url} was redirected to another origin, ${next.origin}.`,
      context,
    );
  }

  if (redirectsSoFar >= MAX_REDIRECTS) {
    throw new AuthFortError(
      'ERR_JWKS_FETCH_FAILED',
      `The request to ${context.url} was redirected more than ${MAX_REDIRECTS} times.`,
      context,
    );
  }

  return next;
}

async function readBody(url: URL, response: Response, maxBytes: number): Promise<Uint8Array> {
  const context = { url: redactUrl(url), upstreamStatus: response.status };

  if (response.status !== 200) {
    await discardBody(response);
    throw new AuthFortError(
      'ERR_JWKS_FETCH_FAILED',
      `The request to ${context.url} answered HTTP ${response.status}.`,
      context,
    );
  }

  const body = await readBoundedBody(response, maxBytes);
  if (body === undefined) throw tooLarge(context, maxBytes);
  return body;
}

function tooLarge(context: { url: string; upstreamStatus: number }, maxBytes: number) {
  return new AuthFortError(
    'ERR_JWKS_TOO_LARGE',
    `The response from ${context.url} is larger than ${maxBytes} bytes.`,
    context,
  );
}

function parseUrl(location: string, base: URL): URL | undefined {
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}

/**
 * Parses a response body as UTF-8 JSON (RFC 8259 section 8.1 requires UTF-8; a BOM is skipped).
 *
 * @param bytes The response body.
 * @throws TypeError for bytes that are not UTF-8, SyntaxError for text that is not JSON.
 */
export function parseJsonBody(bytes: Uint8Array): unknown {
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
}

/**
 * `url` without its user name and password, fit for errors, state and events. The rest (path,
 * query) stays: operators need it to tell endpoints apart.
 *
 * @param url An absolute URL.
 */
export function redactUrl(url: string | URL): string {
  const copy = new URL(url);
  copy.username = '';
  copy.password = '';
  return copy.href;
}
