/**
 * Identity headers (claim to header) and token sources (where a token is looked for), from the
 * YAML file or the environment, with their defaults.
 */
import { authScheme, cookieName, identityHeaderName, tokenHeaderName } from './header-names.js';
import type { IdentityHeader } from '../decision/identity.js';
import { DEFAULT_TOKEN_SOURCES, type TokenSource } from '../decision/token-source.js';
import type { Setting } from './settings.js';
import { claimPath, configError, got } from './values.js';
import { mapping } from './yaml-shapes.js';

/**
 * The `headers:` mapping, claim dot path to header name. It replaces the default mapping as a
 * whole, so an operator can drop a header by leaving it out; `{}` sets no identity header.
 */
export function readIdentityHeaders(value: unknown, key: string): readonly IdentityHeader[] {
  const entries = Object.entries(mapping(value, key));
  const byHeader = new Map<string, string>();

  return entries.map(([claim, header]) => {
    // A claim path has dots in it, so a bracket keeps the key readable: headers["a.b"].
    const entryKey = /^[A-Za-z0-9_]+$/.test(claim)
      ? `${key}.${claim}`
      : `${key}[${JSON.stringify(claim)}]`;
    claimPath(claim, entryKey);
    if (typeof header !== 'string') {
      throw configError(entryKey, `${entryKey} must be a header name, ${got(header)}`);
    }

    const name = identityHeaderName(header.trim(), entryKey);
    const earlier = byHeader.get(name);
    if (earlier !== undefined) {
      throw configError(entryKey, `${entryKey} writes ${name}, which ${earlier} already writes`);
    }
    byHeader.set(name, entryKey);
    return { claim, header: name };
  });
}

function readTokenSource(value: unknown, key: string): TokenSource {
  const entry = mapping(value, key, ['header', 'scheme', 'cookie']);

  if (entry.header !== undefined && entry.cookie !== undefined) {
    throw configError(key, `${key} must name either a header or a cookie, not both`);
  }

  if (entry.cookie !== undefined) {
    if (entry.scheme !== undefined) {
      throw configError(`${key}.scheme`, `${key}.scheme applies to header sources only`);
    }
    if (typeof entry.cookie !== 'string') {
      throw configError(`${key}.cookie`, `${key}.cookie must be a string, ${got(entry.cookie)}`);
    }
    return { kind: 'cookie', cookie: cookieName(entry.cookie.trim(), `${key}.cookie`) };
  }

  if (typeof entry.header !== 'string') {
    throw configError(key, `${key} must name a header (header: x-api-token) or a cookie`);
  }
  const header = tokenHeaderName(entry.header.trim(), `${key}.header`);
  if (entry.scheme === undefined || entry.scheme === null) return { kind: 'header', header };

  if (typeof entry.scheme !== 'string') {
    throw configError(`${key}.scheme`, `${key}.scheme must be a string, ${got(entry.scheme)}`);
  }
  return { kind: 'header', header, scheme: authScheme(entry.scheme.trim(), `${key}.scheme`) };
}

/** The `tokenSources:` list: at least one source, no source twice. */
export function readTokenSources(value: unknown, key: string): readonly TokenSource[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw configError(key, `${key} must be a list of at least one token source`);
  }

  const seen = new Set<string>();
  return value.map((item: unknown, index) => {
    const source = readTokenSource(item, `${key}[${index}]`);
    const id = source.kind === 'cookie' ? `cookie ${source.cookie}` : `header ${source.header}`;
    if (seen.has(id)) {
      throw configError(`${key}[${index}]`, `${key}[${index}] repeats the ${id}`);
    }
    seen.add(id);
    return source;
  });
}

/**
 * Token sources from `AUTHFORT_TOKEN_HEADER` and `AUTHFORT_TOKEN_COOKIE`: the default
 * `Authorization: Bearer` first, then the raw-token header, then the cookie. `undefined` when
 * neither is set. When either is set it replaces the file's `tokenSources` as a whole (the
 * environment wins over the file), so the order never depends on where each part came from.
 */
export function envTokenSources(
  header: Setting<string> | undefined,
  cookie: Setting<string> | undefined,
): readonly TokenSource[] | undefined {
  if (header === undefined && cookie === undefined) return undefined;

  const sources: TokenSource[] = [...DEFAULT_TOKEN_SOURCES];
  if (header !== undefined) {
    if (header.value === 'authorization') {
      throw configError(header.key, `${header.key} must not be "authorization", read by default`);
    }
    sources.push({ kind: 'header', header: header.value });
  }
  if (cookie !== undefined) sources.push({ kind: 'cookie', cookie: cookie.value });
  return sources;
}

/**
 * Refuses an identity header that is also a token source: the service would overwrite the
 * token header with a claim on its way to the backend, or read a claim back as a token.
 */
export function checkHeadersApart(
  identity: readonly IdentityHeader[],
  sources: readonly TokenSource[],
  key: string,
): void {
  for (const source of sources) {
    if (source.kind !== 'header') continue;
    const clash = identity.find((entry) => entry.header === source.header);
    if (clash === undefined) continue;
    throw configError(
      key,
      `${key} maps ${clash.claim} to ${clash.header}, which is also a token source`,
    );
  }
}
