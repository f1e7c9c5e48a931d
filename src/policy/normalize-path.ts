/**
 * Request paths as route rules see them.
 *
 * The proxy, this service and the backend each parse the request path, and a route rule is only
 * as good as the agreement between them: `/admin/..%2Fpublic` is one segment under `/admin` to a
 * backend that keeps escaped slashes (Envoy's default) but `/public` to one that decodes them
 * (NGINX). No single normal form is right for every backend, so a path is read in each way a
 * server plausibly reads it ({@link pathReadings}) and the route table applies the strictest
 * policy any reading matches. {@link normalizePath} renders the canonical reading, the one with
 * every normalisation applied.
 *
 * Segments are compared as byte strings (one character per byte, percent escapes decoded and
 * other characters in UTF-8), so `/caf%C3%A9` and `/café` are the same path and no escape can
 * hide a character from a rule.
 */

/** One way a server may read a path. */
interface Reading {
  /** `%2F`, `%5C` and `\` separate segments (NGINX, Envoy with unescaping, Windows servers). */
  readonly escapedSlashes: boolean;
  /** `%2E` counts toward `.` and `..` segments (RFC 3986 section 2.3 makes them equivalent). */
  readonly escapedDots: boolean;
  /** `;parameters` are cut off each segment before dot segments are resolved (Tomcat, Jetty). */
  readonly stripParameters: boolean;
  /** Dot segments are resolved (RFC 3986 section 5.2.4) and empty segments dropped. */
  readonly resolve: boolean;
}

/** A path split into segments, each a byte string with every valid percent escape decoded. */
export interface PathSegments {
  /** The segments; the root path `/` has none. */
  readonly segments: readonly string[];
  /** Whether the path ends in `/` (never for the root). Route matching ignores it. */
  readonly trailingSlash: boolean;
}

const CANONICAL: Reading = {
  escapedSlashes: true,
  escapedDots: true,
  stripParameters: true,
  resolve: true,
};

/**
 * The canonical reading first, then every other combination; the unresolved ones stand for a
 * backend that routes on the path as sent (Express behind NGINX `proxy_pass` without a URI).
 */
const READINGS: readonly Reading[] = [true, false].flatMap((resolve) =>
  [true, false].flatMap((escapedSlashes) =>
    [true, false].flatMap((escapedDots) =>
      // Without resolution, whether `%2E` is a dot changes nothing: keep one of the two.
      resolve || escapedDots
        ? [true, false].map((stripParameters) => ({
            escapedSlashes,
            escapedDots,
            stripParameters,
            resolve,
          }))
        : [],
    ),
  ),
);

// Characters that make readings differ: escapes, backslashes, path parameters, empty and dot
// segments. A path without any of them reads the same in every way (the common, fast case).
const AMBIGUOUS = /[%\\;]|\/\/|\/\.\.?(?:\/|$)/;

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/**
 * The path part of a request target: the scheme and authority of an absolute-form target
 * (`http://host/x`) are dropped, the query and fragment cut off at the first `?` or `#`, and a
 * path not starting with `/` (such as `*`) is given one.
 */
export function pathOnly(rawPath: string): string {
  let path = rawPath;

  const absolute = ABSOLUTE_FORM.exec(path);
  if (absolute !== null) path = path.slice(absolute[0].length);

  const end = path.search(/[?#]/);
  if (end !== -1) path = path.slice(0, end);

  return path.startsWith('/') ? path : `/${path}`;
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * One segment as a byte string: valid `%XX` escapes decoded, other characters in UTF-8. A
 * malformed escape (`%zz`) stays as the three characters it is.
 */
export function decodeSegment(segment: string): string {
  if (!/[%\u0080-\uffff]/.test(segment)) return segment;

  const bytes = Buffer.from(segment, 'utf8');
  const out = Buffer.allocUnsafe(bytes.length);
  let length = 0;

  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    const high = byte === 0x25 ? hexValue(bytes[i + 1]) : -1;
    const low = high === -1 ? -1 : hexValue(bytes[i + 2]);
    if (low === -1) {
      out[length++] = byte;
      continue;
    }
    out[length++] = high * 16 + low;
    i += 2;
  }

  return out.toString('latin1', 0, length);
}

/** 0 for an ordinary segment, 1 for `.`, 2 for `..`. */
function dotCount(segment: string, escapedDots: boolean): 0 | 1 | 2 {
  const text = escapedDots ? segment.replace(/%2e/gi, '.') : segment;
  if (text === '.') return 1;
  if (text === '..') return 2;
  return 0;
}

function read(path: string, reading: Reading): PathSegments {
  const text = reading.escapedSlashes ? path.replace(/\\|%2f|%5c/gi, '/') : path;
  const parts = text.split('/').slice(1);
  const segments: string[] = [];
  let trailingSlash = false;

  for (const [index, part] of parts.entries()) {
    const last = index === parts.length - 1;
    const semicolon = reading.stripParameters ? part.indexOf(';') : -1;
    const segment = semicolon === -1 ? part : part.slice(0, semicolon);

    if (!reading.resolve) {
      if (last && segment === '') trailingSlash = true;
      else segments.push(decodeSegment(segment));
      continue;
    }

    const dots = dotCount(segment, reading.escapedDots);
    if (segment !== '' && dots === 0) {
      segments.push(decodeSegment(segment));
      continue;
    }
    // RFC 3986 section 5.2.4: `..` removes the segment before it (none above the root), and a
    // path ending in an empty, `.` or `..` segment ends in `/`.
    if (dots === 2) segments.pop();
    if (last) trailingSlash = true;
  }

  return { segments, trailingSlash: trailingSlash && segments.length > 0 };
}

function sameSegments(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i]);
}

/**
 * Every distinct way a server may read `rawPath`, the canonical reading first. Each reading is
 * a list of byte-string segments (see {@link decodeSegment}); trailing slashes are left out, as
 * route matching ignores them. A plain path (no escapes, backslashes, `;`, empty or dot
 * segments) has exactly one reading and costs one split.
 */
export function pathReadings(rawPath: string): readonly (readonly string[])[] {
  const path = pathOnly(rawPath);
  if (!AMBIGUOUS.test(path)) return [read(path, CANONICAL).segments];

  const readings: (readonly string[])[] = [];
  for (const reading of READINGS) {
    const { segments } = read(path, reading);
    if (!readings.some((known) => sameSegments(known, segments))) readings.push(segments);
  }
  return readings;
}

// RFC 3986 `pchar` minus `;` (which would read as a path parameter again): unreserved
// characters, the other sub-delimiters, `:` and `@` stay as they are.
const KEPT = /[A-Za-z0-9\-._~!$&'()*+,=:@]/;

function encodeSegment(segment: string): string {
  let out = '';
  for (const char of segment) {
    if (KEPT.test(char)) out += char;
    else out += `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The canonical form of a request path, as route rules match it:
 *
 * 1. the scheme and authority of an absolute-form target are dropped, and the query and
 *    fragment cut off at the first `?` or `#`;
 * 2. `\`, `%2F` and `%5C` become `/`, so an encoded slash cannot hide a segment boundary;
 * 3. `;parameters` are cut off each segment (`/admin;x/y` is `/admin/y`, as Tomcat reads it);
 * 4. dot segments, also percent-encoded ones (`%2e%2e`), are resolved (RFC 3986 section
 *    5.2.4), never above the root, and repeated slashes merged;
 * 5. escapes of unreserved characters are decoded (`%61` is `a`) and every other character
 *    outside RFC 3986 `pchar` is percent-encoded in upper case (UTF-8 for non-ASCII).
 *
 * Case is kept: paths are case-sensitive, as in Envoy and NGINX route matching. A trailing
 * slash is kept (`/admin/` stays `/admin/`), though route matching ignores it.
 *
 * @example normalizePath('//admin/./x/../%2e%2e/admin%2fy?z#f') === '/admin/y'
 */
export function normalizePath(rawPath: string): string {
  const { segments, trailingSlash } = read(pathOnly(rawPath), CANONICAL);
  if (segments.length === 0) return '/';

  const path = `/${segments.map(encodeSegment).join('/')}`;
  return trailingSlash ? `${path}/` : path;
}
