/**
 * Options of the introspection client, their defaults, and the checks that turn a bad setting
 * into one `ERR_CONFIG_INVALID` at start-up instead of a failed request per call.
 */
import { AuthFortError } from '../errors.js';
import { authorizationHeader, parseCredentials } from './wire.js';

/**
 * The wire style of the introspection endpoint:
 * - `authfort`: AuthFort's endpoint, JSON `{"token": "..."}` with `Authorization: Bearer <secret>`;
 * - `rfc7662`: an OAuth 2.0 Token Introspection endpoint (RFC 7662), a form body with HTTP Basic
 *   client authentication.
 */
export type IntrospectionStyle = 'authfort' | 'rfc7662';

/** Options for `new IntrospectionClient(options)`. Only `url` is required. */
export interface IntrospectionClientOptions {
  /**
   * The full endpoint URL, for example `https://auth.example.com/auth/introspect`; nothing is
   * appended to it. Must be `http:` or `https:` and must not carry `user:password@`: credentials
   * go in `secret`, so they never appear in an error's `url`.
   */
  url: string;
  /**
   * The credential the endpoint requires (RFC 7662 section 2.1: the endpoint "MUST also require
   * some form of authorization"). For `authfort`, the bearer secret (visible ASCII, no spaces).
   * For `rfc7662`, `client_id:client_secret`, split at the first colon. Default: none, no
   * `Authorization` header is sent (for an endpoint authenticated by other means, such as mTLS
   * added by a sidecar).
   */
  secret?: string;
  /** The wire style. Default `authfort`. */
  style?: IntrospectionStyle;
  /**
   * How long one introspection request may take, body included, in milliseconds. Default 2000.
   * Keep it below the proxy's own deadline (Envoy's `ext_authz` timeout defaults to 200 ms):
   * when the proxy gives up first, this service's answer is lost anyway.
   */
  timeoutMs?: number;
  /**
   * How long an answer (active or inactive) is reused for the same token, in seconds. Default 5;
   * 0 disables the cache. A revoked token may pass for up to this long, in exchange for one
   * request per token per window instead of one per call. An active answer is never reused past
   * the token's `exp`; a failure is never cached.
   */
  cacheSeconds?: number;
  /** Most tokens whose answers are kept; the least recently used goes first. Default 10000. */
  cacheMaxEntries?: number;
  /** Largest response body accepted, in bytes. Default 65536 (64 KiB). */
  maxBytes?: number;
  /** Clock in milliseconds since the epoch, for the cache and `exp` checks. Default `Date.now`. */
  clock?: () => number;
}

/**
 * What each option is called in `ERR_CONFIG_INVALID` errors (the error's `key` and message), so a
 * caller that reads options from the environment can name its own variables there.
 */
export type OptionNames = Partial<Record<keyof IntrospectionClientOptions, string>>;

/** Defaults of {@link IntrospectionClientOptions}. */
export const INTROSPECTION_DEFAULTS = {
  style: 'authfort',
  timeoutMs: 2000,
  cacheSeconds: 5,
  cacheMaxEntries: 10_000,
  maxBytes: 64 * 1024,
} as const;

/** {@link IntrospectionClientOptions}, checked, with every default filled in. */
export interface ResolvedIntrospectionOptions {
  /** Where requests go, exactly as configured. */
  readonly url: string;
  /** The URL errors carry: origin and path only, since a query string may hold an API key. */
  readonly reportedUrl: string;
  readonly style: IntrospectionStyle;
  /** The ready `Authorization` header value, or `undefined` when no secret is configured. */
  readonly authorization: string | undefined;
  readonly timeoutMs: number;
  readonly cacheSeconds: number;
  readonly cacheMaxEntries: number;
  readonly maxBytes: number;
  readonly clock: () => number;
}

type CountOption = 'timeoutMs' | 'cacheSeconds' | 'cacheMaxEntries' | 'maxBytes';

const STYLES: readonly string[] = ['authfort', 'rfc7662'] satisfies IntrospectionStyle[];

// A header value Node's fetch accepts as is. A value it refuses makes fetch throw an error that
// quotes the value, which for the bearer secret would leak it; refusing it here never quotes it.
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * Checks the options and fills in the defaults.
 *
 * @param options The client's options.
 * @param names What to call each option in errors; default the option's own name.
 * @throws AuthFortError `ERR_CONFIG_INVALID` whose `key` names the option at fault. The message
 *   never quotes the secret.
 */
export function resolveIntrospectionOptions(
  options: IntrospectionClientOptions,
  names: OptionNames = {},
): ResolvedIntrospectionOptions {
  const name = (option: keyof IntrospectionClientOptions): string => names[option] ?? option;
  const count = (option: CountOption, min: number): number =>
    wholeNumber(name(option), options[option], INTROSPECTION_DEFAULTS[option], min);

  const url = endpointUrl(name('url'), options.url);

  const style = options.style ?? INTROSPECTION_DEFAULTS.style;
  if (!STYLES.includes(style)) {
    throw invalid(name('style'), `must be one of ${STYLES.join(', ')}`);
  }

  return {
    url: url.href,
    reportedUrl: `${url.origin}${url.pathname}`,
    style,
    authorization: authorization(name('secret'), style, options.secret),
    timeoutMs: count('timeoutMs', 1),
    cacheSeconds: count('cacheSeconds', 0),
    cacheMaxEntries: count('cacheMaxEntries', 1),
    maxBytes: count('maxBytes', 1),
    clock: options.clock ?? Date.now,
  };
}

function endpointUrl(key: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(key, 'must be an absolute URL');
  }

  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(key, 'must be an http or https URL');
  }

  // fetch refuses such a URL anyway; saying so here is clearer, and keeps the password out of
  // every error's `url`.
  if (url.username !== '' || url.password !== '') {
    throw invalid(key, 'must not carry credentials; configure the secret instead');
  }

  return url;
}

function authorization(
  key: string,
  style: IntrospectionStyle,
  secret: string | undefined,
): string | undefined {
  if (secret === undefined) return undefined;

  if (style === 'authfort') {
    if (!VISIBLE_ASCII.test(secret)) {
      throw invalid(key, 'must be visible ASCII characters without spaces');
    }
    return authorizationHeader({ bearer: secret });
  }

  const credentials = parseCredentials(secret);
  if (credentials === undefined) {
    throw invalid(key, 'must be client_id:client_secret with a non-empty client_id');
  }
  return authorizationHeader(credentials);
}

function wholeNumber(key: string, value: number | undefined, fallback: number, min: number) {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalid(key, `must be a whole number of at least ${min}, got ${String(value)}`);
  }
  return value;
}

function invalid(key: string, problem: string): AuthFortError {
  return new AuthFortError('ERR_CONFIG_INVALID', `${key} ${problem}`, { key });
}
