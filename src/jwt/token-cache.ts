/**
 * Remembers tokens that verified, so a busy client's repeated token skips the signature check.
 *
 * An entry is only as good as what made it valid: it is served strictly before `exp` (the clock
 * skew leeway is not extended to cached answers) and only while the key that verified it is still
 * published with the same material. Anything else falls through to a full verification.
 */
import type { VerifiedUser } from './claims.js';

interface Entry {
  readonly user: VerifiedUser;
  readonly kid: string;
  readonly fingerprint: string;
  /** `exp` in milliseconds. */
  readonly expiresAtMs: number;
}

/** Where the cache asks whether the key behind an entry is still the one published. */
export type FingerprintLookup = (kid: string) => string | undefined;

/** A bounded least-recently-used map from token to its verified identity. */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #capacity: number;
  readonly #fingerprint: FingerprintLookup;

  /**
   * @param capacity - most tokens kept; 0 keeps none.
   * @param fingerprint - identity of the currently published key with a given `kid`.
   */
  constructor(capacity: number, fingerprint: FingerprintLookup) {
    this.#capacity = capacity;
    this.#fingerprint = fingerprint;
  }

  /** Number of tokens held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The cached identity of `token`, or `undefined` when it must be verified again. */
  get(token: string, nowMs: number): VerifiedUser | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;

    if (nowMs >= entry.expiresAtMs || this.#fingerprint(entry.kid) !== entry.fingerprint) {
      this.#entries.delete(token);
      return undefined;
    }

    // Re-inserting moves the entry to the young end of the Map's insertion order.
    this.#entries.delete(token);
    this.#entries.set(token, entry);
    return entry.user;
  }

  /**
   * Remembers a token that verified with the key `kid`. Tokens without a `kid` are not kept.
   *
   * @param fingerprint - the key's identity when it was handed out for this verification. The
   * key set may have been refreshed while the signature was checked: when `kid` now names other
   * material (or nothing), the token is not kept, or it would be served under a key that never
   * verified it.
   */
  set(
    token: string,
    user: VerifiedUser,
    kid: string | undefined,
    fingerprint: string | undefined,
  ): void {
    if (this.#capacity === 0 || kid === undefined || fingerprint === undefined) return;
    if (this.#fingerprint(kid) !== fingerprint) return;

    this.#entries.delete(token);
    this.#entries.set(token, { user, kid, fingerprint, expiresAtMs: user.expiresAt * 1000 });
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }
}
