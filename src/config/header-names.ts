/**
 * Names of the headers and cookies the service reads tokens from or writes identity into.
 */
import { configError, got } from './values.js';

// RFC 9110 section 5.6.2 `token`.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Headers that identity must never be written into: hop-by-hop headers (RFC 9110 section
 * 7.6.1), which proxies strip or act on; headers that carry credentials or framing, which an
 * identity value would corrupt; and the ones proxies own. Lower case.
 */
const RESERVED = new Set([
  'authorization',
  'proxy-authorization',
  'proxy-authenticate',
  'www-authenticate',
  'cookie',
  'set-cookie',
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'forwarded',
]);

// Envoy owns `x-envoy-*` (it strips them from untrusted clients and acts on them); the
// `x-forwarded-*` family and `x-real-ip` describe the connection, set by the proxy.
const RESERVED_PREFIXES = ['x-envoy-', 'x-forwarded-'];
const RESERVED_EXACT_EXTRA = new Set(['x-real-ip']);

function checkName(value: string, key: string): string {
  if (value.startsWith(':')) {
    throw configError(key, `${key} must not be a pseudo-header such as :path, ${got(value)}`);
  }
  if (!TOKEN.test(value)) {
    throw configError(
      key,
      `${key} must be a header name (RFC 9110 token characters), ${got(value)}`,
    );
  }
  return value.toLowerCase();
}

/**
 * A header that receives an identity claim on allow. Returned lower-case (HTTP/2 and Envoy
 * require lower-case names). Refuses pseudo-headers, hop-by-hop, credential and framing
 * headers, and those the proxy owns.
 */
export function identityHeaderName(value: string, key: string): string {
  const name = checkName(value, key);

  const reserved =
    RESERVED.has(name) ||
    RESERVED_EXACT_EXTRA.has(name) ||
    RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix));
  if (reserved) {
    throw configError(key, `${key} must not be ${JSON.stringify(name)}, a header proxies manage`);
  }
  return name;
}

/**
 * A header a token is read from. Returned lower-case. `authorization` is allowed (it is the
 * default source); `cookie` is refused (use a cookie source) and so are hop-by-hop and framing
 * headers, which never reach the service intact.
 */
export function tokenHeaderName(value: string, key: string): string {
  const name = checkName(value, key);

  if (name === 'cookie') {
    throw configError(key, `${key} must not be "cookie": use a cookie token source`);
  }
  if (name !== 'authorization' && name !== 'proxy-authorization' && RESERVED.has(name)) {
    throw configError(key, `${key} must not be ${JSON.stringify(name)}, which carries no token`);
  }
  return name;
}

/** An auth scheme such as `Bearer` (RFC 9110 section 11.1: a token). Case is kept. */
export function authScheme(value: string, key: string): string {
  if (TOKEN.test(value)) return value;
  throw configError(key, `${key} must be an auth scheme such as Bearer, ${got(value)}`);
}

/** A cookie name (RFC 6265 section 4.1.1: an RFC 9110 token). Case is kept. */
export function cookieName(value: string, key: string): string {
  if (TOKEN.test(value)) return value;
  throw configError(key, `${key} must be a cookie name (token characters), ${got(value)}`);
}
