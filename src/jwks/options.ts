/**
 * Options of a `RemoteKeySet`, their defaults and their checks.
 *
 * The defaults are the contract's (`DEFAULTS` in `src/options.ts`), so the library and the
 * server cannot drift apart.
 */

import { AuthFortError } from '../errors.js';
import { DEFAULTS } from '../options.js';

/** Options for `new RemoteKeySet(options)`. Exactly one of `url` and `discoveryUrl` is required. */
export interface RemoteKeySetOptions {
  /**
   * URL of the JSON Web Key Set, `https:` or `http:` (plain HTTP is the operator's call, for
   * example an in-cluster service; it is not refused here).
   */
  url?: string;
  /**
   * URL of an OpenID discovery document (`.../.well-known/openid-configuration`); the key set is
   * fetched from its `jwks_uri`, which must be `https:` unless it is same-origin or loopback.
   */
  discoveryUrl?: string;
  /**
   * Longest a fetched key set is used before it is fetched again, in seconds. A shorter
   * `Cache-Control: max-age` wins; a longer one is capped to this. Default 600.
   */
  maxAgeSeconds?: number;
  /**
   * Least time between fetches that unknown `kid`s trigger, in seconds; also the base of the
   * retry backoff and the floor of the background refresh. Default 30. 0 means no cooldown for
   * unknown `kid`s (the background refresh and retries still wait at least 1 s).
   */
  cooldownSeconds?: number;
  /**
   * Deadline of one request, in milliseconds (the discovery document and the key set each get
   * one). Default 5000.
   */
  timeoutMs?: number;
  /** Largest response accepted, in bytes. Default 262144 (256 KiB). */
  maxBytes?: number;
  /** Current time in milliseconds since the epoch; for fake clocks in tests. Default `Date.now`. */
  clock?: () => number;
  /**
   * A number in [0, 1) for the jitter of refresh and retry delays; for deterministic tests.
   * Default `Math.random`.
   */
  random?: () => number;
}

/** Where the key set comes from: a configured URL, or OpenID discovery. */
export type KeySetSource =
  | { readonly url: string; readonly discoveryUrl?: undefined }
  | { readonly url?: undefined; readonly discoveryUrl: string };

/** {@link RemoteKeySetOptions} checked, with every default filled in. */
export type ResolvedRemoteKeySetOptions = KeySetSource & {
  /** In seconds. */
  readonly maxAgeSeconds: number;
  /** In seconds. */
  readonly cooldownSeconds: number;
  /** In milliseconds. */
  readonly timeoutMs: number;
  /** In bytes. */
  readonly maxBytes: number;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** In [0, 1). */
  readonly random: () => number;
};

/**
 * Checks the options of a `RemoteKeySet` and fills in the defaults.
 *
 * @param options As given to the constructor.
 * @throws AuthFortError `ERR_CONFIG_INVALID` (with `key`, the option's name) when both or
 *   neither of `url` and `discoveryUrl` is set, a URL is not absolute `http:`/`https:`, or a
 *   number is out of range: `maxAgeSeconds`, `timeoutMs` and `maxBytes` must be positive,
 *   `cooldownSeconds` zero or more.
 */
export function resolveRemoteKeySetOptions(
  options: RemoteKeySetOptions,
): ResolvedRemoteKeySetOptions {
  const url = presentString(options.url);
  const discoveryUrl = presentString(options.discoveryUrl);
  if ((url === undefined) === (discoveryUrl === undefined)) {
    throw configError('url', 'Set exactly one of the key set URL and the discovery URL.');
  }

  const source: KeySetSource =
    url === undefined
      ? { discoveryUrl: httpUrl('discoveryUrl', discoveryUrl ?? '') }
      : { url: httpUrl('url', url) };

  return {
    ...source,
    maxAgeSeconds: positive('maxAgeSeconds', options.maxAgeSeconds, DEFAULTS.jwksMaxAgeSeconds),
    cooldownSeconds: nonNegative(
      'cooldownSeconds',
      options.cooldownSeconds,
      DEFAULTS.jwksCooldownSeconds,
    ),
    timeoutMs: positive('timeoutMs', options.timeoutMs, DEFAULTS.jwksTimeoutMs),
    maxBytes: positive('maxBytes', options.maxBytes, DEFAULTS.jwksMaxBytes),
    clock: options.clock ?? Date.now,
    random: options.random ?? Math.random,
  };
}

function presentString(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function httpUrl(key: string, value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw configError(key, `${key} is not an absolute URL.`);
  }

  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw configError(key, `${key} must be an http: or https: URL.`);
  }
  return parsed.href;
}

function positive(key: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw configError(key, `${key} must be above 0.`);
  return value;
}

function nonNegative(key: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw configError(key, `${key} must be 0 or more.`);
  return value;
}

function configError(key: string, message: string): AuthFortError {
  return new AuthFortError('ERR_CONFIG_INVALID', message, { key });
}
