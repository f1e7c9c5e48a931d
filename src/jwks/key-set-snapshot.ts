/**
 * One successfully fetched key set, ready to resolve keys: jose's local resolver over the usable
 * keys plus what the rest of the service asks about them (key ids, fingerprints), computed once
 * per fetch so that asking is free.
 *
 * A snapshot is immutable and replaces the previous one whole: a key the issuer stopped
 * publishing is gone from the next snapshot, with nothing carried over.
 */

import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  type CryptoKey,
  type FlattenedJWSInput,
  type JWK,
  type JWSHeaderParameters,
  type LocalJWKSet,
} from 'jose';

import { AuthFortError } from '../errors.js';

import type { SkippedKey } from './key-set-document.js';

/** A fetched key set, immutable. */
export interface KeySetSnapshot {
  /** jose's resolver over exactly the usable keys: matches `kid`, `alg`, `kty`, `use`, `crv`. */
  readonly resolve: LocalJWKSet;
  /** Number of usable keys. */
  readonly keyCount: number;
  /** Distinct `kid`s of the usable keys, sorted. */
  readonly kids: readonly string[];
  /** `kid` to key identity; see {@link keyFingerprints}. */
  readonly fingerprints: ReadonlyMap<string, string>;
  /** Keys of the document that were left out. */
  readonly skipped: readonly SkippedKey[];
}

/**
 * Builds the snapshot of one fetched key set.
 *
 * @param keys The usable keys (see `selectUsableKeys`); at least one.
 * @param skipped The keys left out, kept for the state and events.
 */
export async function createSnapshot(
  keys: readonly JWK[],
  skipped: readonly SkippedKey[],
): Promise<KeySetSnapshot> {
  const fingerprints = await keyFingerprints(keys);

  return {
    resolve: createLocalJWKSet({ keys: [...keys] }),
    keyCount: keys.length,
    kids: [...fingerprints.keys()].sort(),
    fingerprints,
    skipped,
  };
}

/**
 * The identity of each published `kid`: the RFC 7638 JWK thumbprint (SHA-256, base64url) of its
 * key. The thumbprint covers only the key's required public members, so a refetch that returns
 * the same key keeps the same fingerprint, while a `kid` reused for other key material gets a
 * new one.
 *
 * RFC 7517 section 4.5 allows one `kid` on several keys ("if they have different "kty" (key
 * type) values but are considered to be equivalent alternatives"); such a `kid` gets the sorted
 * thumbprints joined by `,`, which changes when any of its keys does. Keys without a `kid` have
 * no entry.
 *
 * @param keys Public keys, already checked to import.
 */
export async function keyFingerprints(keys: readonly JWK[]): Promise<Map<string, string>> {
  const thumbprints = new Map<string, string[]>();
  for (const key of keys) {
    if (typeof key.kid !== 'string') continue;

    const thumbprint = await calculateJwkThumbprint(key, 'sha256');
    const list = thumbprints.get(key.kid) ?? [];
    list.push(thumbprint);
    thumbprints.set(key.kid, list);
  }

  const fingerprints = new Map<string, string>();
  for (const [kid, list] of thumbprints) fingerprints.set(kid, [...new Set(list)].sort().join(','));
  return fingerprints;
}

/** What changed between two snapshots, by `kid`; each list sorted. */
export interface KidChanges {
  /** `kid`s published now that were not before. */
  readonly added: string[];
  /** `kid`s no longer published. */
  readonly removed: string[];
  /** `kid`s still published but now naming other key material (a new fingerprint). */
  readonly replaced: string[];
}

/**
 * The `kid`s that appeared, disappeared or changed keys between two snapshots.
 *
 * @param before The previous snapshot, or `undefined` on the first load.
 * @param after The new snapshot.
 */
export function diffKids(before: KeySetSnapshot | undefined, after: KeySetSnapshot): KidChanges {
  const old = before?.fingerprints ?? new Map<string, string>();

  return {
    added: after.kids.filter((kid) => !old.has(kid)),
    removed: [...old.keys()].filter((kid) => !after.fingerprints.has(kid)).sort(),
    replaced: after.kids.filter(
      (kid) => old.has(kid) && old.get(kid) !== after.fingerprints.get(kid),
    ),
  };
}

/**
 * The key the snapshot holds for this token header, or `undefined` when no key matches (the one
 * case a refetch may fix). jose's other resolver errors become AuthFort codes.
 *
 * @param snapshot The key set to look in.
 * @param protectedHeader The token's protected header (`alg`, `kid`).
 * @param token The token, for its unprotected header (JWS JSON serialization only).
 * @throws AuthFortError `ERR_TOKEN_ALG_NOT_ALLOWED` for an `alg` no key set serves (`none`,
 *   HMAC, unknown); `ERR_TOKEN_KEY_UNKNOWN` when several keys match a token without `kid`, or
 *   the matching key cannot be imported for this `alg`.
 */
export async function resolveKey(
  snapshot: KeySetSnapshot,
  protectedHeader: JWSHeaderParameters,
  token?: FlattenedJWSInput,
): Promise<CryptoKey | undefined> {
  try {
    return await snapshot.resolve(protectedHeader, token);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_JWKS_NO_MATCHING_KEY') return undefined;

    if (code === 'ERR_JOSE_NOT_SUPPORTED') {
      throw new AuthFortError('ERR_TOKEN_ALG_NOT_ALLOWED', undefined, { cause: error });
    }

    // ERR_JWKS_MULTIPLE_MATCHING_KEYS, or a key jose cannot import for this alg: either way no
    // single published key vouches for the token. (jose can try each of several candidates, but
    // a key resolver hands back one key, and AuthFort tokens always carry a kid.)
    throw keyUnknownError(error);
  }
}

/**
 * The `ERR_TOKEN_KEY_UNKNOWN` error.
 *
 * @param cause What made the key unknown, when there is more to say (a failed refetch, ...).
 */
export function keyUnknownError(cause?: unknown): AuthFortError {
  return new AuthFortError('ERR_TOKEN_KEY_UNKNOWN', undefined, { cause });
}
