/**
 * Checks a fetched JSON Web Key Set document (RFC 7517 section 5) and keeps only the keys that
 * may verify a token signature.
 *
 * A key is skipped, never repaired. RFC 7517 section 5 asks for exactly that: "Implementations
 * SHOULD ignore JWKs within a JWK Set that use "kty" (key type) values that are not understood by
 * them, that are missing required members, or for which values are out of the supported ranges."
 * A document with no usable key at all is refused as a whole, so the last good key set stays.
 */

import { createPublicKey, type JsonWebKey as NodeJsonWebKey } from 'node:crypto';

import type { JWK } from 'jose';

import { AuthFortError } from '../errors.js';

/**
 * Why a key of a fetched key set was not used:
 * - `malformed`: not a JSON object, no string `kty`, a non-string `kid`, members that do not
 *   form a public key Node can import (an unknown `kty` or curve, bad base64url, ...), or an
 *   RSA modulus under 2048 bits ("values out of the supported ranges", RFC 7517 section 5);
 * - `symmetric`: `kty: "oct"`. A shared secret in a public document is known to everyone, so
 *   anything "signed" with it proves nothing;
 * - `private`: it carries private or secret members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`,
 *   `priv`, `k`). Such a key is skipped outright rather than stripped to its public half: the
 *   issuer has published its signing secret, so anyone can forge tokens with it and it must
 *   not verify anything;
 * - `not-for-signatures`: `use` other than `sig`, `key_ops` without `verify`, or a key-agreement
 *   curve (`X25519`, `X448`). RFC 7517 section 4.2 defines `use` as the key's intended use; a
 *   key meant for encryption must not vouch for a signature.
 */
export type SkipReason = 'malformed' | 'symmetric' | 'private' | 'not-for-signatures';

/** A key of a fetched key set that was not used, and why. Holds no key material. */
export interface SkippedKey {
  /** Position of the key in the document's `keys` array, from 0. */
  readonly index: number;
  /** The key's `kid`, when it has a string one. */
  readonly kid?: string;
  /** Why it was skipped. */
  readonly reason: SkipReason;
}

/** The usable keys of a fetched key set, plus the ones skipped. */
export interface UsableKeys {
  /** Public signature-verification keys, as published (in document order). */
  readonly keys: readonly JWK[];
  /** Keys that were left out. */
  readonly skipped: readonly SkippedKey[];
}

// Private (RFC 7518 sections 6.2.2, 6.3.2, RFC 8037 section 2) and symmetric (`k`) members.
const SECRET_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'priv', 'k'] as const;

// RFC 8037 section 3.2: X25519 and X448 are for ECDH key agreement, not for signatures.
const KEY_AGREEMENT_CURVES = new Set(['X25519', 'X448']);

/**
 * Keeps the public signature-verification keys of a parsed key set document.
 *
 * @param document The parsed JSON body of the key set response.
 * @param url Where the document came from, carried on the error.
 * @throws AuthFortError `ERR_JWKS_INVALID` when the document is not an object with a `keys`
 *   array, when `keys` is empty, or when no key in it is usable. An empty set is refused rather
 *   than applied: it would revoke every key at once, which an issuer never means during a
 *   rotation, while a broken deployment or a proxy error page easily produces it.
 */
export function selectUsableKeys(document: unknown, url?: string): UsableKeys {
  if (!isObject(document) || !Array.isArray(document.keys)) {
    throw new AuthFortError('ERR_JWKS_INVALID', 'The key set response has no "keys" array.', {
      url,
    });
  }

  if (document.keys.length === 0) {
    throw new AuthFortError('ERR_JWKS_INVALID', 'The key set response has no keys.', { url });
  }

  const keys: JWK[] = [];
  const skipped: SkippedKey[] = [];
  document.keys.forEach((candidate: unknown, index) => {
    const reason = skipReason(candidate);
    if (reason === undefined) {
      keys.push(candidate as JWK);
      return;
    }

    const kid =
      isObject(candidate) && typeof candidate.kid === 'string' ? candidate.kid : undefined;
    skipped.push(kid === undefined ? { index, reason } : { index, kid, reason });
  });

  if (keys.length === 0) {
    const reasons = [...new Set(skipped.map((key) => key.reason))].join(', ');
    throw new AuthFortError(
      'ERR_JWKS_INVALID',
      `The key set response has no usable signature key (skipped: ${reasons}).`,
      { url },
    );
  }

  return { keys, skipped };
}

/**
 * Why one key of a key set cannot verify signatures, or `undefined` when it can.
 *
 * @param candidate One element of a key set's `keys` array.
 */
export function skipReason(candidate: unknown): SkipReason | undefined {
  if (!isObject(candidate) || typeof candidate.kty !== 'string') return 'malformed';

  if (candidate.kid !== undefined && typeof candidate.kid !== 'string') return 'malformed';

  if (candidate.kty === 'oct') return 'symmetric';

  if (SECRET_MEMBERS.some((member) => member in candidate)) return 'private';

  if (candidate.use !== undefined && candidate.use !== 'sig') return 'not-for-signatures';

  const keyOps = candidate.key_ops;
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes('verify'))) {
    return 'not-for-signatures';
  }

  if (typeof candidate.crv === 'string' && KEY_AGREEMENT_CURVES.has(candidate.crv)) {
    return 'not-for-signatures';
  }

  return importsAsPublicKey(candidate) ? undefined : 'malformed';
}

// RFC 7518 section 3.3: RS* and PS* keys are 2048 bits or larger (jose refuses smaller ones at
// verification time; refusing them here keeps them out of the key set and its key count).
const MIN_RSA_BITS = 2048;

// The members that carry key material are base64url (RFC 7518 section 6); Node's decoder would
// silently skip stray characters, so they are checked first.
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const KEY_MEMBERS = ['n', 'e', 'x', 'y'] as const;

// Node's own JWK import is the check that the members form a key (right `kty`, a curve it knows,
// well-formed numbers); jose imports the key again, for one algorithm, on first use.
function importsAsPublicKey(jwk: Record<string, unknown>): boolean {
  for (const member of KEY_MEMBERS) {
    const value = jwk[member];
    if (value !== undefined && (typeof value !== 'string' || !BASE64URL.test(value))) return false;
  }

  try {
    const key = createPublicKey({ key: jwk as NodeJsonWebKey, format: 'jwk' });
    if (key.asymmetricKeyType === 'rsa') {
      return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS;
    }
    return key.type === 'public';
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
