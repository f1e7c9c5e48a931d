/**
 * OpenID Connect discovery: from the provider's configuration document to the key set URL
 * (OpenID Connect Discovery 1.0 section 3, member `jwks_uri`).
 */

import { AuthFortError } from '../errors.js';

import { redactUrl } from './fetch.js';

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

/**
 * True for a host name that always means this machine: `localhost`, `[::1]` and 127.0.0.0/8.
 *
 * @param hostname A URL's `hostname` (IPv6 addresses in brackets, as `URL` gives them).
 */
export function isLoopbackHost(hostname: string): boolean {
  if (LOOPBACK_HOSTS.has(hostname.toLowerCase())) return true;
  return /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * The key set URL a discovery document names, checked.
 *
 * The `jwks_uri` must be `https:`, with two exceptions for `http:`:
 * - the same origin as the discovery document: the operator already trusts that origin over
 *   plain HTTP (typically an in-cluster service name), so following it loses nothing;
 * - a loopback host: the request never leaves the machine.
 *
 * Anything else would let a document fetched over TLS send the key set fetch over plain HTTP to
 * another host, where anyone on the path could substitute their own keys. OpenID Connect
 * Discovery 1.0 section 3 itself requires `jwks_uri` to be an https URL.
 *
 * @param document The parsed discovery document.
 * @param discoveryUrl The URL the document came from (after redirects).
 * @returns The absolute key set URL.
 * @throws AuthFortError `ERR_DISCOVERY_INVALID` when the document is not an object, has no
 *   string `jwks_uri`, or the URL is malformed, not http(s), or plain HTTP to another host.
 */
export function jwksUriFromDiscovery(document: unknown, discoveryUrl: string): string {
  const context = { url: redactUrl(discoveryUrl) };
  const jwksUri = isObject(document) ? document.jwks_uri : undefined;
  if (typeof jwksUri !== 'string' || jwksUri === '') {
    throw new AuthFortError(
      'ERR_DISCOVERY_INVALID',
      'The discovery document has no "jwks_uri" string.',
      context,
    );
  }

  const target = parseAbsoluteUrl(jwksUri);
  if (target === undefined || (target.protocol !== 'https:' && target.protocol !== 'http:')) {
    throw new AuthFortError(
      'ERR_DISCOVERY_INVALID',
      'The discovery document\'s "jwks_uri" is not an absolute http(s) URL.',
      context,
    );
  }

  const sameOrigin = target.origin === new URL(discoveryUrl).origin;
  if (target.protocol === 'http:' && !sameOrigin && !isLoopbackHost(target.hostname)) {
    throw new AuthFortError(
      'ERR_DISCOVERY_INVALID',
      `The discovery document's "jwks_uri" ${redactUrl(target)} is plain http to another origin.`,
      context,
    );
  }

  return target.href;
}

function parseAbsoluteUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
