/**
 * How long a key set response says it stays fresh, read from its `Cache-Control` and `Age`
 * header fields (RFC 9111).
 *
 * Only `max-age` decides. `no-cache` and `no-store` are read as "no lifetime given" rather than
 * "zero": a verifier cannot re-validate the key set before each use (one fetch per request), and
 * some issuers send these directives by default on every response. The key set's own maximum age
 * and cooldown still bound how long such a response is used.
 */

/**
 * The largest lifetime we represent, in seconds. RFC 9111 section 1.2.2: a cache receiving a
 * larger delta-seconds "MUST consider the value to be 2147483648 (2^31) or the greatest positive
 * integer it can conveniently represent".
 */
export const MAX_DELTA_SECONDS = 2 ** 31;

const DELTA_SECONDS = /^[0-9]+$/;

/**
 * Parses a delta-seconds value (RFC 9111 section 1.2.2: a non-negative decimal integer), in
 * seconds. Tolerates the quoted-string form a sender must not generate but some do. Returns
 * `undefined` for anything else, so a malformed value is as if the directive were absent.
 */
export function parseDeltaSeconds(value: string): number | undefined {
  const unquoted = value.length >= 2 && value.startsWith('"') && value.endsWith('"');
  const digits = unquoted ? value.slice(1, -1) : value;
  if (!DELTA_SECONDS.test(digits)) return undefined;

  return Math.min(Number(digits), MAX_DELTA_SECONDS);
}

/**
 * The `max-age` directive of a `Cache-Control` field value, in seconds; `undefined` when the
 * field is absent or carries no valid `max-age`.
 *
 * Directive names compare case-insensitively (RFC 9111 section 5.2). When `max-age` appears more
 * than once, the first occurrence wins: section 4.2.1 allows "either the first occurrence should
 * be used or the response should be considered stale", and treating it as stale would only turn
 * a server's typo into a refetch at every cooldown.
 *
 * @param cacheControl The raw field value, for example `public, max-age=3600`.
 */
export function parseMaxAge(cacheControl: string | null | undefined): number | undefined {
  if (!cacheControl) return undefined;

  for (const directive of cacheControl.split(',')) {
    const separator = directive.indexOf('=');
    if (separator < 0) continue;

    const name = directive.slice(0, separator).trim().toLowerCase();
    if (name !== 'max-age') continue;

    return parseDeltaSeconds(directive.slice(separator + 1).trim());
  }

  return undefined;
}

/**
 * How many more seconds a response stays fresh: its `max-age` minus its `Age`, never negative;
 * `undefined` when the response gives no `max-age`.
 *
 * `Age` matters when a CDN or proxy answers from its own cache: RFC 9111 section 4.2.3 counts a
 * response's age from when the origin produced it, so a copy that already sat 50 minutes in a
 * cache with `max-age=3600` has 10 minutes left, not 60. A malformed `Age` is ignored.
 *
 * @param headers The response's header fields (a `fetch` `Headers` or anything with `get`).
 */
export function remainingFreshnessSeconds(headers: {
  get(name: string): string | null;
}): number | undefined {
  const maxAge = parseMaxAge(headers.get('cache-control'));
  if (maxAge === undefined) return undefined;

  const ageField = headers.get('age');
  const age = ageField === null ? undefined : parseDeltaSeconds(ageField.trim());
  return Math.max(0, maxAge - (age ?? 0));
}
