/**
 * Finding the token in a request, the same way for every transport.
 */
import { AuthFortError } from '../errors.js';

/** One place a token may travel in. Sources are tried in order; the first with a token wins. */
export type TokenSource =
  | {
      readonly kind: 'header';
      /** Lower-case header name. */
      readonly header: string;
      /**
       * Auth scheme before the token (`Bearer`), compared case-insensitively (RFC 9110 section
       * 11.1). Absent: the whole header value is the token.
       */
      readonly scheme?: string;
    }
  | {
      readonly kind: 'cookie';
      /** Cookie name, compared exactly. */
      readonly cookie: string;
    };

/** The default: `Authorization: Bearer <token>` (RFC 6750 section 2.1). */
export const DEFAULT_TOKEN_SOURCES: readonly TokenSource[] = Object.freeze([
  Object.freeze({ kind: 'header', header: 'authorization', scheme: 'Bearer' } as const),
]);

/** Reads one request header by lower-case name; a repeated header comes joined or as a list. */
export type HeaderReader = (name: string) => string | readonly string[] | undefined;

function single(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  // Two Authorization headers are ambiguous: refuse rather than pick one (RFC 9110 5.3).
  if (value.length > 1) throw new AuthFortError('ERR_TOKEN_MALFORMED', 'The header is repeated.');
  return value[0];
}

function fromScheme(value: string, scheme: string): string | undefined {
  const space = value.indexOf(' ');
  const given = space === -1 ? value : value.slice(0, space);
  // A different scheme (Basic, say) is not a bearer token at all: the request has none.
  if (given.toLowerCase() !== scheme.toLowerCase()) return undefined;

  const token = space === -1 ? '' : value.slice(space + 1).trim();
  if (token === '') throw new AuthFortError('ERR_TOKEN_MALFORMED', 'The bearer token is empty.');
  return token;
}

function fromCookie(header: string, name: string): string | undefined {
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals === -1 || pair.slice(0, equals).trim() !== name) continue;
    const value = pair.slice(equals + 1).trim();
    return value.startsWith('"') && value.endsWith('"') && value.length >= 2
      ? value.slice(1, -1)
      : value;
  }
  return undefined;
}

/**
 * The token of a request: the first source, in order, that has one. `undefined` when no source
 * has a token; throws `ERR_TOKEN_MALFORMED` for a source that has one but unusable (an empty
 * bearer, a repeated header).
 */
export function extractToken(
  readHeader: HeaderReader,
  sources: readonly TokenSource[] = DEFAULT_TOKEN_SOURCES,
): string | undefined {
  for (const source of sources) {
    if (source.kind === 'cookie') {
      const cookies = readHeader('cookie');
      const joined = typeof cookies === 'string' ? cookies : cookies?.join('; ');
      const token = joined === undefined ? undefined : fromCookie(joined, source.cookie);
      if (token) return token;
      continue;
    }

    const value = single(readHeader(source.header))?.trim();
    if (!value) continue;
    const token = source.scheme === undefined ? value : fromScheme(value, source.scheme);
    if (token !== undefined) return token;
  }
  return undefined;
}
