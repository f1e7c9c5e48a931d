/**
 * The library's front door: verify AuthFort (or any OpenID Connect) access tokens in-process.
 */
import { AuthFortError } from './errors.js';
import { RemoteKeySet } from './jwks/remote-key-set.js';
import type { VerifiedUser } from './jwt/claims.js';
import { TokenVerifier } from './jwt/verifier.js';
import {
  resolveOptions,
  type ResolvedServiceAuthOptions,
  type ServiceAuthOptions,
} from './options.js';

/**
 * Verifies access tokens locally against the issuer's cached JSON Web Key Set.
 *
 * ```ts
 * const auth = new ServiceAuth({ jwksUrl: 'https://auth.example.com/.well-known/jwks.json' });
 * const user = await auth.verifyToken(token);
 * auth.requireRole(user, ['admin', 'editor']);
 * await auth.close();
 * ```
 *
 * The key set is fetched as soon as the instance is made and refreshed in the background; a
 * verification that arrives before the first fetch waits for it (bounded by the fetch timeout).
 */
export class ServiceAuth {
  /** The effective options, defaults filled in. */
  readonly options: ResolvedServiceAuthOptions;
  /** The key set in use: its `state` and events tell how the issuer is doing. */
  readonly keySet: RemoteKeySet;
  readonly #verifier: TokenVerifier;

  /** @throws {@link AuthFortError} `ERR_CONFIG_INVALID` when an option is invalid. */
  constructor(options: ServiceAuthOptions) {
    this.options = resolveOptions(options);
    this.keySet = new RemoteKeySet({
      url: this.options.jwksUrl,
      discoveryUrl: this.options.discoveryUrl,
      maxAgeSeconds: this.options.jwksMaxAgeSeconds,
      cooldownSeconds: this.options.jwksCooldownSeconds,
      timeoutMs: this.options.jwksTimeoutMs,
      maxBytes: this.options.jwksMaxBytes,
      clock: this.options.clock,
    });
    this.#verifier = new TokenVerifier(this.options, this.keySet);
  }

  /** Resolves once the first key set has been loaded. Never rejects. */
  get ready(): Promise<void> {
    return this.keySet.ready;
  }

  /**
   * Verifies a token (the bare JWT, without `Bearer `) and returns who it belongs to.
   *
   * @throws {@link AuthFortError} with a `code` from the error table: `ERR_TOKEN_*` (401) for a
   * token that must be refused, `ERR_JWKS_UNAVAILABLE` (503) when no key set could ever be loaded.
   */
  verifyToken(token: string): Promise<VerifiedUser> {
    return this.#verifier.verify(token);
  }

  /** True when `user` has at least one of `roles`. An empty list is never satisfied. */
  hasRole(user: VerifiedUser, roles: readonly string[]): boolean {
    return roles.some((role) => user.roles.includes(role));
  }

  /**
   * Throws `ERR_ROLE_MISSING` (403) unless `user` has at least one of `roles` (any-of). An empty
   * list is never satisfied: asking for "one of no roles" is a mistake, and it fails closed.
   */
  requireRole(user: VerifiedUser, roles: readonly string[]): void {
    if (!this.hasRole(user, roles)) throw new AuthFortError('ERR_ROLE_MISSING');
  }

  /** Stops the background refresh. Tokens still verify against the keys already loaded. */
  async close(): Promise<void> {
    this.keySet.close();
  }
}
