/**
 * Path patterns of route rules: `/orders` is exact; a `*` segment is exactly one segment (as in
 * `/orders/{*}/items`, braces only to keep this comment open); `/admin/**` is zero or more
 * segments, so it matches `/admin` itself too.
 */
import { decodeSegment } from './normalize-path.js';
import { policyError } from './operator-values.js';

type Token =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'one' }
  | { readonly kind: 'any' };

const ONE: Token = { kind: 'one' };
const ANY: Token = { kind: 'any' };

// eslint-disable-next-line no-control-regex -- control characters are what this rejects
const FORBIDDEN_CHARACTER = /[\u0000-\u0020\u007f]/;
const MALFORMED_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/** Lower-cases ASCII letters only: a byte string's upper half is UTF-8, not Latin-1 text. */
export function lowerAscii(segment: string): string {
  return segment.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function invalid(key: string, what: string): never {
  throw policyError(key, `${key} ${what}`);
}

function checkPattern(pattern: string, key: string): void {
  if (!pattern.startsWith('/')) invalid(key, 'must start with "/"');

  if (/[?#]/.test(pattern)) {
    invalid(key, 'must not contain "?" or "#": query strings and fragments are never matched');
  }
  if (FORBIDDEN_CHARACTER.test(pattern)) {
    invalid(key, 'must not contain spaces or control characters');
  }
  if (/\\|%2f|%5c/i.test(pattern)) {
    invalid(key, 'must not contain "\\" or an encoded slash: paths are split on them too');
  }
  if (pattern.includes(';')) {
    invalid(key, 'must not contain ";": path parameters are cut off before matching');
  }
  if (MALFORMED_ESCAPE.test(pattern)) {
    invalid(key, 'has a "%" that does not start a percent escape such as %20');
  }
}

/**
 * A compiled path pattern. Compile once (route table construction), match per request.
 *
 * Literal segments compare as byte strings after percent-decoding, so `/caf%C3%A9` and `/café`
 * are the same pattern. A trailing slash is insignificant on both sides: `/orders` and
 * `/orders/` match each other, since most backends (Express, Spring, NGINX `try_files`) route
 * them alike and a rule a trailing slash could dodge protects nothing.
 */
export class PathPattern {
  /** The pattern as written. */
  readonly source: string;
  readonly #tokens: readonly Token[];
  readonly #wildcards: boolean;

  /**
   * @param pattern - `/`-separated segments; `*` and `**` only as whole segments
   * @param key - the setting named in an error, such as `routes[2].path`
   * @param caseSensitive - compare letters exactly (default true, as Envoy and NGINX do)
   * @throws AuthFortError `ERR_CONFIG_INVALID` with `key` for a pattern that could never match
   *   as written (no leading `/`, a query, `//`, `.` or `..` segments, partial wildcards)
   */
  constructor(pattern: string, key: string, caseSensitive = true) {
    if (typeof pattern !== 'string') invalid(key, 'must be a string');
    checkPattern(pattern, key);
    this.source = pattern;

    const parts = pattern.split('/').slice(1);
    // A trailing slash is insignificant (see the class comment); the root `/` has no segment.
    if (parts.at(-1) === '') parts.pop();

    const tokens: Token[] = [];
    for (const part of parts) {
      if (part === '') invalid(key, 'must not contain empty segments ("//")');

      const decoded = decodeSegment(part);
      if (decoded === '.' || decoded === '..') {
        invalid(key, 'must not contain "." or ".." segments: request paths never do once resolved');
      }

      if (part === '**') {
        // `**/**` means the same as `**`; one keeps matching linear.
        if (tokens.at(-1) !== ANY) tokens.push(ANY);
      } else if (part === '*') {
        tokens.push(ONE);
      } else if (part.includes('*')) {
        invalid(key, `must use * and ** as whole segments only, got ${JSON.stringify(part)}`);
      } else {
        tokens.push({ kind: 'literal', value: caseSensitive ? decoded : lowerAscii(decoded) });
      }
    }

    this.#tokens = tokens;
    this.#wildcards = tokens.some((token) => token.kind !== 'literal');
  }

  /**
   * Whether the pattern matches a path's segments (byte strings as produced by
   * `pathReadings`, lower-cased already when the pattern is case-insensitive). Time is linear
   * in the number of segments times the number of pattern segments at worst.
   */
  matches(segments: readonly string[]): boolean {
    const tokens = this.#tokens;

    if (!this.#wildcards) {
      if (segments.length !== tokens.length) return false;
      return tokens.every((token, i) => (token as { value: string }).value === segments[i]);
    }

    // Classic wildcard matching with one backtrack point: on a mismatch, let the most recent
    // `**` swallow one more segment and retry from there.
    let s = 0;
    let t = 0;
    let starToken = -1;
    let starSegment = 0;

    while (s < segments.length) {
      const token = tokens[t];
      if (token === ANY) {
        starToken = t++;
        starSegment = s;
      } else if (token === ONE || (token?.kind === 'literal' && token.value === segments[s])) {
        s++;
        t++;
      } else if (starToken !== -1) {
        t = starToken + 1;
        s = ++starSegment;
      } else {
        return false;
      }
    }

    while (tokens[t] === ANY) t++;
    return t === tokens.length;
  }
}
