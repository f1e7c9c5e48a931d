/**
 * When a remote key set fetches next: the background refresh before the key set goes stale, and
 * the retry after a failed fetch. Pure functions of their inputs (randomness is a parameter), so
 * every number here is testable without a clock.
 *
 * One rule binds them all: no fetch the key set starts on its own comes sooner than the cooldown,
 * and never sooner than {@link MIN_FETCH_INTERVAL_SECONDS}, whatever the issuer's `max-age` says.
 */

/**
 * The shortest interval between two fetches the key set starts on its own, in seconds, even with
 * a cooldown of 0: it keeps `Cache-Control: max-age=0` or a hard-down issuer from turning the
 * refresh timer into a busy loop.
 */
export const MIN_FETCH_INTERVAL_SECONDS = 1;

/**
 * The longest wait between retries after failures, in seconds, unless the key set's maximum age
 * is shorter. Five minutes: long enough not to hammer an issuer that is down, short enough that
 * a recovered issuer is noticed well within AuthFort's 48 h window for retired keys.
 */
export const MAX_RETRY_SECONDS = 300;

/**
 * The share of a key set's lifetime after which it is refreshed: somewhere between these two
 * fractions, at random, so several workers (or replicas) that started together do not fetch in
 * lockstep. Refreshing at 80-90 % leaves the last 10-20 % of the lifetime for the fetch itself
 * and a retry before the set goes stale.
 */
export const REFRESH_WINDOW = { from: 0.8, to: 0.9 } as const;

/** How much a retry delay may be shortened at random (0.2: up to 20 %), to spread workers. */
export const RETRY_JITTER = 0.2;

/**
 * The lifetime of a freshly fetched key set, in seconds: the response's remaining freshness when
 * it gives one (`max-age` minus `Age`), capped by the configured maximum age. A longer `max-age`
 * never extends it: the configured maximum bounds how long a key the issuer dropped may still
 * verify.
 *
 * @param responseSeconds What the response allows, or `undefined` when it says nothing.
 * @param maxAgeSeconds The configured maximum age (`maxAgeSeconds`, default 600).
 */
export function effectiveMaxAgeSeconds(
  responseSeconds: number | undefined,
  maxAgeSeconds: number,
): number {
  if (responseSeconds === undefined) return maxAgeSeconds;
  return Math.min(responseSeconds, maxAgeSeconds);
}

/**
 * The least wait before a fetch the key set starts on its own, in seconds: the cooldown, but at
 * least {@link MIN_FETCH_INTERVAL_SECONDS}.
 *
 * @param cooldownSeconds The configured cooldown (default 30; 0 allowed).
 */
export function minimumFetchIntervalSeconds(cooldownSeconds: number): number {
  return Math.max(cooldownSeconds, MIN_FETCH_INTERVAL_SECONDS);
}

/**
 * Seconds from a successful fetch to the background refresh: at a random point inside
 * {@link REFRESH_WINDOW} of the lifetime, but never sooner than
 * {@link minimumFetchIntervalSeconds}. With a lifetime shorter than that floor the key set
 * is briefly stale before each refresh; the cooldown wins over freshness by design.
 *
 * @param lifetimeSeconds The key set's lifetime ({@link effectiveMaxAgeSeconds}).
 * @param cooldownSeconds The configured cooldown.
 * @param random A number in [0, 1); `Math.random()` in production.
 */
export function refreshDelaySeconds(
  lifetimeSeconds: number,
  cooldownSeconds: number,
  random: number,
): number {
  const fraction = REFRESH_WINDOW.from + (REFRESH_WINDOW.to - REFRESH_WINDOW.from) * random;
  return Math.max(lifetimeSeconds * fraction, minimumFetchIntervalSeconds(cooldownSeconds));
}

/**
 * Seconds from the n-th consecutive failed fetch to the next attempt: capped exponential backoff.
 *
 * - base: {@link minimumFetchIntervalSeconds} (the cooldown, at least 1 s);
 * - delay: base x 2^(failures - 1), so 30, 60, 120, 240, 300, 300 ... with the default cooldown;
 * - cap: {@link MAX_RETRY_SECONDS} or the maximum age, whichever is smaller (a short maximum age
 *   asks for a short retry too), but never below the base;
 * - jitter: shortened by up to {@link RETRY_JITTER} at random, never below the base.
 *
 * @param consecutiveFailures Failures in a row, counting this one (1 or more).
 * @param cooldownSeconds The configured cooldown.
 * @param maxAgeSeconds The configured maximum age.
 * @param random A number in [0, 1); `Math.random()` in production.
 */
export function retryDelaySeconds(
  consecutiveFailures: number,
  cooldownSeconds: number,
  maxAgeSeconds: number,
  random: number,
): number {
  const base = minimumFetchIntervalSeconds(cooldownSeconds);
  const cap = Math.max(base, Math.min(MAX_RETRY_SECONDS, maxAgeSeconds));

  // Clamp the exponent: past 2^30 the cap has long won, and 2^1024 would be Infinity.
  const exponent = Math.min(Math.max(consecutiveFailures, 1) - 1, 30);
  const delay = Math.min(base * 2 ** exponent, cap);

  return Math.max(delay * (1 - RETRY_JITTER * random), base);
}
