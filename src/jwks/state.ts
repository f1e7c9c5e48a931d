/**
 * What a remote key set tells the outside: its state, read at any time, and its events, one per
 * fetch. The key set never logs; the server turns these into log lines and metrics in one place.
 *
 * There is deliberately no `error` event: an EventEmitter `error` with no listener throws.
 */

import type { AuthFortError } from '../errors.js';

import type { SkippedKey } from './key-set-document.js';
import type { CryptoKey } from 'jose';

/**
 * What started a fetch:
 * - `startup`: the first fetch, started by the constructor;
 * - `scheduled`: the background refresh before the key set goes stale;
 * - `unknown-kid`: a token named a `kid` the key set lacks, or a key was asked for before any key
 *   set was loaded;
 * - `retry`: the backoff timer after a failed fetch;
 * - `manual`: a call to `refresh()`.
 */
export type RefreshTrigger = 'startup' | 'scheduled' | 'unknown-kid' | 'retry' | 'manual';

/** Payload of the `refreshed` event: a fetch succeeded and its key set replaced the last one. */
export interface RefreshedEvent {
  /** What started the fetch. */
  readonly trigger: RefreshTrigger;
  /** Usable keys in the new key set. */
  readonly keyCount: number;
  /** Distinct `kid`s in the new key set, sorted. */
  readonly kids: readonly string[];
  /** `kid`s that were not published before (all of them on the first load). */
  readonly added: readonly string[];
  /** `kid`s no longer published: tokens signed with them stop verifying now. */
  readonly removed: readonly string[];
  /** `kid`s still published but naming other key material than before. */
  readonly replaced: readonly string[];
  /** Keys of the document that were left out (private, symmetric, encryption keys, ...). */
  readonly skipped: readonly SkippedKey[];
  /** How long this key set is used before the next fetch, in seconds. */
  readonly maxAgeSeconds: number;
  /** The key set URL that answered, without credentials. */
  readonly url: string;
}

/** Payload of the `refresh-failed` event: a fetch failed and the last good keys stay. */
export interface RefreshFailedEvent {
  /** What started the fetch. */
  readonly trigger: RefreshTrigger;
  /** Why: one of the `ERR_JWKS_*` codes or `ERR_DISCOVERY_INVALID`, with `upstreamStatus`/`url`. */
  readonly error: AuthFortError;
  /** Failed fetches in a row, this one included. */
  readonly consecutiveFailures: number;
  /** Seconds until the retry. */
  readonly retryInSeconds: number;
  /** Whether a key set from an earlier fetch is still in use. */
  readonly loaded: boolean;
}

/** The events of a `RemoteKeySet` and their payloads, for the typed `EventEmitter`. */
export interface RemoteKeySetEvents {
  refreshed: [event: RefreshedEvent];
  'refresh-failed': [event: RefreshFailedEvent];
}

/** A snapshot of a remote key set's health. Times are milliseconds since the epoch. */
export interface KeySetState {
  /** A key set has been loaded at least once (what `ready` waits for). */
  readonly loaded: boolean;
  /** Loaded, and the last successful fetch is younger than its max age. */
  readonly fresh: boolean;
  /** Within the cooldown of the last fetch: an unknown `kid` does not fetch now. */
  readonly coolingDown: boolean;
  /** A fetch is in flight. */
  readonly refreshing: boolean;
  /** `close()` was called: no more fetches. */
  readonly closed: boolean;
  /** Usable keys in the current key set (0 before the first load). */
  readonly keyCount: number;
  /** Distinct `kid`s in the current key set, sorted. */
  readonly kids: readonly string[];
  /** Fetch attempts started so far, successful or not (a discovery lookup is part of one). */
  readonly fetchCount: number;
  /** The key set URL in use (from `url`, or the last one discovery gave). */
  readonly url?: string;
  /** When the current key set was fetched. */
  readonly lastSuccessAt?: number;
  /** How long the current key set is used, in seconds (`max-age` capped by `maxAgeSeconds`). */
  readonly maxAgeSeconds?: number;
  /**
   * The latest failed fetch, kept after a later success so operators can see what went wrong;
   * `consecutiveFailures` tells whether it is still going on.
   */
  readonly lastFailure?: AuthFortError;
  /** When {@link KeySetState.lastFailure} happened. */
  readonly lastFailureAt?: number;
  /** Failed fetches since the last success; 0 when the last fetch succeeded. */
  readonly consecutiveFailures: number;
  /** When the next fetch the key set starts on its own is due (refresh or retry). */
  readonly nextRefreshAt?: number;
}

/** A verification key, with the fingerprint its `kid` had in the key set that supplied it. */
export interface ResolvedKey {
  /** The public key. */
  readonly key: CryptoKey;
  /** The `kid`'s fingerprint in that key set; `undefined` for a token without `kid`. */
  readonly fingerprint: string | undefined;
}
