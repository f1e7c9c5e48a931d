/**
 * One fetch of a key set, from URL to a usable snapshot, and one lookup of the key set URL in an
 * OpenID discovery document. No state: the remote key set decides when to call these.
 */

import { AuthFortError } from '../errors.js';

import { remainingFreshnessSeconds } from './cache-control.js';
import { jwksUriFromDiscovery } from './discovery.js';
import { fetchBounded, parseJsonBody } from './fetch.js';
import { selectUsableKeys } from './key-set-document.js';
import { createSnapshot, type KeySetSnapshot } from './key-set-snapshot.js';
import { effectiveMaxAgeSeconds } from './schedule.js';

// RFC 7517 section 8.5.1 registers application/jwk-set+json; many issuers answer plain JSON.
const JWKS_ACCEPT = 'application/jwk-set+json, application/json;q=0.9';
const DISCOVERY_ACCEPT = 'application/json';

/** Limits of one request: see `fetchBounded`. */
export interface RequestLimits {
  /** Deadline of the request, in milliseconds. */
  readonly timeoutMs: number;
  /** Largest body accepted, in bytes. */
  readonly maxBytes: number;
  /** Aborts the request (the key set's `close()`). */
  readonly signal?: AbortSignal;
}

/** A fetched key set with how long it may be used. */
export interface LoadedKeySet {
  /** The usable keys, ready to resolve. */
  readonly snapshot: KeySetSnapshot;
  /** How long this key set is used before the next fetch, in seconds. */
  readonly maxAgeSeconds: number;
  /** The URL that answered (after same-origin redirects), without credentials. */
  readonly url: string;
}

/**
 * Fetches a key set and builds its snapshot.
 *
 * @param url The key set URL.
 * @param limits Deadline, size cap, abort signal.
 * @param maxAgeSeconds The configured maximum age, which caps the response's `max-age`.
 * @throws AuthFortError any code of `fetchBounded`, or `ERR_JWKS_INVALID` for a body that is not
 *   JSON or not a key set with a usable key (see `selectUsableKeys`).
 */
export async function loadKeySet(
  url: string,
  limits: RequestLimits,
  maxAgeSeconds: number,
): Promise<LoadedKeySet> {
  const response = await fetchBounded(url, { ...limits, accept: JWKS_ACCEPT });

  let document: unknown;
  try {
    document = parseJsonBody(response.bytes);
  } catch (cause) {
    throw new AuthFortError('ERR_JWKS_INVALID', 'The key set response is not JSON.', {
      url: response.url,
      cause,
    });
  }

  const { keys, skipped } = selectUsableKeys(document, response.url);
  let snapshot: KeySetSnapshot;
  try {
    snapshot = await createSnapshot(keys, skipped);
  } catch (cause) {
    // Keys that Node imports but jose cannot fingerprint or index: as unusable as garbage.
    throw new AuthFortError('ERR_JWKS_INVALID', 'The key set could not be used.', {
      url: response.url,
      cause,
    });
  }

  return {
    snapshot,
    maxAgeSeconds: effectiveMaxAgeSeconds(
      remainingFreshnessSeconds(response.headers),
      maxAgeSeconds,
    ),
    url: response.url,
  };
}

/**
 * Fetches an OpenID discovery document and returns its checked `jwks_uri`.
 *
 * @param discoveryUrl The discovery document URL.
 * @param limits Deadline, size cap, abort signal.
 * @throws AuthFortError any code of `fetchBounded`, or `ERR_DISCOVERY_INVALID` for a body that
 *   is not JSON or has no acceptable `jwks_uri` (see `jwksUriFromDiscovery`).
 */
export async function discoverKeySetUrl(
  discoveryUrl: string,
  limits: RequestLimits,
): Promise<string> {
  const response = await fetchBounded(discoveryUrl, { ...limits, accept: DISCOVERY_ACCEPT });

  let document: unknown;
  try {
    document = parseJsonBody(response.bytes);
  } catch (cause) {
    throw new AuthFortError('ERR_DISCOVERY_INVALID', 'The discovery document is not JSON.', {
      url: response.url,
      cause,
    });
  }

  return jwksUriFromDiscovery(document, response.url);
}
