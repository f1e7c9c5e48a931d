/**
 * A JSON Web Key Set fetched from the issuer and kept current: the key resolver token
 * verification uses.
 *
 * - fetched at construction; `ready` resolves at the first good fetch and never rejects;
 * - refreshed in the background at 80-90 % of its lifetime (`Cache-Control: max-age` capped by
 *   `maxAgeSeconds`), never sooner than the cooldown;
 * - refetched once, single-flight, when a token names an unknown `kid`, at most once per
 *   cooldown; during the cooldown the lookup fails at once and one refetch is queued for the
 *   cooldown's end, so a rotation costs at most one cooldown of refused new tokens;
 * - kept as it is when a fetch fails, times out, is too large or returns garbage; retried with
 *   capped exponential backoff (see `schedule.ts`);
 * - replaced whole by each good fetch, so a key the issuer stopped publishing stops verifying.
 *
 * Keys come only from the configured URL: a token's `jku`, `x5u`, `jwk` and `x5c` headers are
 * never read.
 */

import { EventEmitter } from 'node:events';

import type { CryptoKey, FlattenedJWSInput, JWSHeaderParameters } from 'jose';

import { AuthFortError, isAuthFortError } from '../errors.js';

import { redactUrl } from './fetch.js';
import { diffKids, keyUnknownError, resolveKey, type KeySetSnapshot } from './key-set-snapshot.js';
import { discoverKeySetUrl, loadKeySet, type LoadedKeySet, type RequestLimits } from './load.js';
import {
  resolveRemoteKeySetOptions,
  type RemoteKeySetOptions,
  type ResolvedRemoteKeySetOptions,
} from './options.js';
import { minimumFetchIntervalSeconds, refreshDelaySeconds, retryDelaySeconds } from './schedule.js';
import type { KeySetState, RefreshTrigger, RemoteKeySetEvents, ResolvedKey } from './state.js';

// setTimeout fires at once (with a warning) past 2^31 - 1 ms, about 24.8 days.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A remote JSON Web Key Set, kept current in the background. Pass {@link RemoteKeySet.getKey}
 * to `jose.jwtVerify`; read {@link RemoteKeySet.state} and listen to `refreshed` and
 * `refresh-failed` ({@link RemoteKeySetEvents}) to observe it.
 *
 * Its timers are `unref()`ed: an open key set never keeps a process alive.
 *
 * @example
 * ```ts
 * const keySet = new RemoteKeySet({ url: 'https://auth.example.com/.well-known/jwks.json' });
 * await keySet.ready;
 * const { payload } = await jwtVerify(token, keySet.getKey, { algorithms: ['RS256'] });
 * ```
 */
export class RemoteKeySet extends EventEmitter<RemoteKeySetEvents> {
  /**
   * Resolves when the first key set has been loaded. Never rejects: while the issuer stays
   * unreachable it stays pending (race it with a timeout, or read `state.loaded`), and
   * `close()` does not settle it.
   */
  readonly ready: Promise<void>;

  readonly #options: ResolvedRemoteKeySetOptions;
  readonly #closing = new AbortController();
  #resolveReady: () => void = () => undefined;

  #current: LoadedKeySet | undefined;
  #jwksUrl: string | undefined;
  #rediscover = true;
  #inFlight: Promise<AuthFortError | undefined> | undefined;
  #lastAttemptAt: number | undefined;
  #lastSuccessAt: number | undefined;
  #lastFailure: AuthFortError | undefined;
  #lastFailureAt: number | undefined;
  #consecutiveFailures = 0;
  #fetchCount = 0;
  #timer: NodeJS.Timeout | undefined;
  #nextRefreshAt: number | undefined;
  #closed = false;

  /**
   * Checks the options and starts the first fetch at once.
   *
   * @throws AuthFortError `ERR_CONFIG_INVALID` for invalid options (see `RemoteKeySetOptions`).
   */
  constructor(options: RemoteKeySetOptions) {
    super();
    this.#options = resolveRemoteKeySetOptions(options);
    this.#jwksUrl = this.#options.url;
    this.ready = new Promise((resolve) => {
      this.#resolveReady = resolve;
    });
    this.getKey = this.getKey.bind(this);

    void this.#fetch('startup');
  }

  /**
   * jose key resolver: the public key the token's header names (by `kid` and `alg`). Bound to
   * this key set, so `keySet.getKey` can be passed as is.
   *
   * Before the first load it waits for the fetch in flight (or starts one, outside the
   * cooldown). When the `kid` is unknown it refetches once, single-flight, outside the cooldown.
   *
   * @param protectedHeader The token's protected header.
   * @param token The token; only its unprotected header (JWS JSON serialization) is read.
   * @throws AuthFortError
   * - `ERR_TOKEN_KEY_UNKNOWN`: no published key matches, also after the refetch (or during the
   *   cooldown, or when the refetch failed: a forged `kid` must never turn into a dependency
   *   failure that a proxy's fail-open setting would let through); also when several keys match
   *   a token without `kid`, since only one key can be handed back;
   * - `ERR_TOKEN_MALFORMED`: a `kid` that is not a string;
   * - `ERR_TOKEN_ALG_NOT_ALLOWED`: an `alg` a key set cannot serve (`none`, HMAC, unknown);
   * - `ERR_JWKS_UNAVAILABLE`: no key set was ever loaded; `cause` is the fetch error.
   */
  async getKey(
    protectedHeader: JWSHeaderParameters,
    token?: FlattenedJWSInput,
  ): Promise<CryptoKey> {
    return (await this.resolveKey(protectedHeader, token)).key;
  }

  /**
   * {@link RemoteKeySet.getKey}, and the fingerprint of the `kid` in the very key set the key
   * came from. A cache of verified tokens needs the pair: reading the fingerprint afterwards
   * could see a set refreshed in between, and trust a token under a key that did not sign it.
   *
   * @param protectedHeader The token's protected header.
   * @param token The token; only its unprotected header (JWS JSON serialization) is read.
   * @throws AuthFortError as {@link RemoteKeySet.getKey} does.
   */
  async resolveKey(
    protectedHeader: JWSHeaderParameters,
    token?: FlattenedJWSInput,
  ): Promise<ResolvedKey> {
    const { kid } = { ...protectedHeader, ...token?.header };
    if (kid !== undefined && typeof kid !== 'string') {
      throw new AuthFortError('ERR_TOKEN_MALFORMED', 'The token "kid" header is not a string.');
    }
    const resolved = (snapshot: KeySetSnapshot, key: CryptoKey): ResolvedKey => ({
      key,
      fingerprint: kid === undefined ? undefined : snapshot.fingerprints.get(kid),
    });

    const before = this.#current ?? (await this.#loadOnDemand());
    const key = await resolveKey(before.snapshot, protectedHeader, token);
    if (key !== undefined) return resolved(before.snapshot, key);

    // A known kid that matches no key for this alg is the token's fault; refetching cannot help.
    if (kid !== undefined && before.snapshot.fingerprints.has(kid)) throw keyUnknownError();

    const failure = await this.#refetchForUnknownKid();
    const after = this.#current ?? before;
    if (after !== before) {
      const retried = await resolveKey(after.snapshot, protectedHeader, token);
      if (retried !== undefined) return resolved(after.snapshot, retried);
    }

    throw keyUnknownError(failure);
  }

  /**
   * Identity of the currently published key with this `kid`: its RFC 7638 thumbprint (several
   * keys sharing a `kid`: their thumbprints joined by `,`). `undefined` when no usable key has
   * this `kid`, in particular once the issuer stopped publishing it. Precomputed per fetch.
   *
   * @param kid A key id.
   */
  fingerprint(kid: string): string | undefined {
    return this.#current?.snapshot.fingerprints.get(kid);
  }

  /**
   * Fetches the key set now, ignoring the cooldown; joins the fetch in flight if there is one.
   * Never rejects: the outcome is in {@link RemoteKeySet.state} and the events. After `close()`
   * it does nothing.
   */
  async refresh(): Promise<void> {
    await this.#fetch('manual');
  }

  /** A snapshot of the key set's health; see {@link KeySetState}. */
  get state(): KeySetState {
    const now = this.#options.clock();
    const current = this.#current;
    const fresh =
      current !== undefined &&
      this.#lastSuccessAt !== undefined &&
      now < this.#lastSuccessAt + current.maxAgeSeconds * 1000;

    return {
      loaded: current !== undefined,
      fresh,
      coolingDown: this.#coolingDown(now),
      refreshing: this.#inFlight !== undefined,
      closed: this.#closed,
      keyCount: current?.snapshot.keyCount ?? 0,
      kids: current?.snapshot.kids ?? [],
      fetchCount: this.#fetchCount,
      url: this.#jwksUrl === undefined ? undefined : redactUrl(this.#jwksUrl),
      lastSuccessAt: this.#lastSuccessAt,
      maxAgeSeconds: current?.maxAgeSeconds,
      lastFailure: this.#lastFailure,
      lastFailureAt: this.#lastFailureAt,
      consecutiveFailures: this.#consecutiveFailures,
      nextRefreshAt: this.#nextRefreshAt,
    };
  }

  /**
   * Stops the key set for good: cancels the timer and aborts a fetch in flight, which then
   * reports nothing. Keys already loaded keep resolving, but nothing is fetched again: an unknown
   * `kid` is `ERR_TOKEN_KEY_UNKNOWN`, and before any load `ERR_JWKS_UNAVAILABLE`. Idempotent.
   */
  close(): void {
    this.#closed = true;
    this.#cancelTimer();
    this.#closing.abort();
  }

  /** Starts a fetch, or joins the one in flight. Resolves to its error, or `undefined`. */
  #fetch(trigger: RefreshTrigger): Promise<AuthFortError | undefined> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    if (this.#closed) return Promise.resolve(undefined);

    this.#cancelTimer();
    this.#lastAttemptAt = this.#options.clock();
    this.#fetchCount += 1;
    this.#inFlight = this.#run(trigger);
    return this.#inFlight;
  }

  async #run(trigger: RefreshTrigger): Promise<AuthFortError | undefined> {
    let loaded: LoadedKeySet;
    try {
      loaded = await this.#load();
    } catch (error) {
      const failure = asFetchError(error, this.#currentUrl());
      this.#inFlight = undefined;
      if (!this.#closed) this.#recordFailure(trigger, failure);
      return failure;
    }

    this.#inFlight = undefined;
    if (!this.#closed) this.#recordSuccess(trigger, loaded);
    return undefined;
  }

  async #load(): Promise<LoadedKeySet> {
    const limits = {
      timeoutMs: this.#options.timeoutMs,
      maxBytes: this.#options.maxBytes,
      signal: this.#closing.signal,
    };
    return loadKeySet(await this.#keySetUrl(limits), limits, this.#options.maxAgeSeconds);
  }

  /** The configured key set URL, or `jwks_uri` from discovery (asked again after a failure). */
  async #keySetUrl(limits: RequestLimits): Promise<string> {
    const options = this.#options;
    if (options.discoveryUrl === undefined) return options.url;
    if (!this.#rediscover && this.#jwksUrl !== undefined) return this.#jwksUrl;

    this.#jwksUrl = await discoverKeySetUrl(options.discoveryUrl, limits);
    this.#rediscover = false;
    return this.#jwksUrl;
  }

  #recordSuccess(trigger: RefreshTrigger, loaded: LoadedKeySet): void {
    const changes = diffKids(this.#current?.snapshot, loaded.snapshot);
    this.#current = loaded;
    this.#lastSuccessAt = this.#options.clock();
    this.#consecutiveFailures = 0;
    this.#resolveReady();

    const { cooldownSeconds, random } = this.#options;
    this.#schedule(
      refreshDelaySeconds(loaded.maxAgeSeconds, cooldownSeconds, random()),
      'scheduled',
    );

    this.#emitSafely(() =>
      this.emit('refreshed', {
        trigger,
        keyCount: loaded.snapshot.keyCount,
        kids: loaded.snapshot.kids,
        ...changes,
        skipped: loaded.snapshot.skipped,
        maxAgeSeconds: loaded.maxAgeSeconds,
        url: loaded.url,
      }),
    );
  }

  #recordFailure(trigger: RefreshTrigger, error: AuthFortError): void {
    this.#lastFailure = error;
    this.#lastFailureAt = this.#options.clock();
    this.#consecutiveFailures += 1;
    // The issuer may have moved its key set: ask discovery again before the next attempt.
    this.#rediscover = true;

    const { cooldownSeconds, maxAgeSeconds, random } = this.#options;
    const retryInSeconds = retryDelaySeconds(
      this.#consecutiveFailures,
      cooldownSeconds,
      maxAgeSeconds,
      random(),
    );
    this.#schedule(retryInSeconds, 'retry');

    this.#emitSafely(() =>
      this.emit('refresh-failed', {
        trigger,
        error,
        consecutiveFailures: this.#consecutiveFailures,
        retryInSeconds,
        loaded: this.#current !== undefined,
      }),
    );
  }

  /** Before the first load: join the fetch in flight, or start one outside the cooldown. */
  async #loadOnDemand(): Promise<LoadedKeySet> {
    const failure = await this.#refetchForUnknownKid();
    if (this.#current !== undefined) return this.#current;

    const cause = failure ?? this.#lastFailure;
    throw new AuthFortError('ERR_JWKS_UNAVAILABLE', undefined, {
      cause,
      upstreamStatus: cause?.upstreamStatus,
      url: cause?.url ?? redactUrl(this.#currentUrl()),
    });
  }

  /**
   * One refetch for a key the current key set lacks: joins the fetch in flight; otherwise fetches
   * unless closed or cooling down. Resolves to the fetch's error, if any.
   */
  async #refetchForUnknownKid(): Promise<AuthFortError | undefined> {
    if (this.#inFlight !== undefined) return this.#inFlight;

    if (this.#closed) return undefined;

    if (this.#coolingDown(this.#options.clock())) {
      this.#queueAfterCooldown();
      return undefined;
    }

    return this.#fetch('unknown-kid');
  }

  /**
   * Queues one `unknown-kid` fetch for the end of the cooldown, unless a fetch is due by then
   * anyway. Skipped while fetches are failing: the retry backoff already decides when the
   * issuer is asked next, and unknown `kid`s (which anyone can send) must not shorten it.
   */
  #queueAfterCooldown(): void {
    if (this.#consecutiveFailures > 0 || this.#lastAttemptAt === undefined) return;

    const dueAt =
      this.#lastAttemptAt + minimumFetchIntervalSeconds(this.#options.cooldownSeconds) * 1000;
    if (this.#nextRefreshAt !== undefined && this.#nextRefreshAt <= dueAt) return;

    this.#schedule((dueAt - this.#options.clock()) / 1000, 'unknown-kid');
  }

  /** The URL the next fetch starts from: the key set's, or discovery's while it is unresolved. */
  #currentUrl(): string {
    const options = this.#options;
    if (options.discoveryUrl === undefined) return options.url;
    return this.#jwksUrl ?? options.discoveryUrl;
  }

  #coolingDown(now: number): boolean {
    if (this.#lastAttemptAt === undefined) return false;
    return now < this.#lastAttemptAt + this.#options.cooldownSeconds * 1000;
  }

  #schedule(delaySeconds: number, trigger: RefreshTrigger): void {
    this.#cancelTimer();
    if (this.#closed) return;

    const delayMs = Math.min(Math.max(delaySeconds * 1000, 0), MAX_TIMER_MS);
    this.#nextRefreshAt = this.#options.clock() + delayMs;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#nextRefreshAt = undefined;
      void this.#fetch(trigger);
    }, delayMs);
    this.#timer.unref();
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextRefreshAt = undefined;
  }

  /**
   * Emits after the state is consistent. A listener that throws must not break the fetch that
   * emitted (nor reject `ready` or a `getKey` waiting on it): its error is rethrown on its own
   * turn, where it surfaces as an uncaught exception like any other listener error.
   */
  #emitSafely(emit: () => void): void {
    try {
      emit();
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

function asFetchError(error: unknown, url: string): AuthFortError {
  if (isAuthFortError(error)) return error;
  return new AuthFortError('ERR_JWKS_INVALID', 'The key set could not be used.', {
    url: redactUrl(url),
    cause: error,
  });
}
