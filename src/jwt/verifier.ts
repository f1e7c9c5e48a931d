/**
 * Verifies an access token against a key source: the cheap refusals first, then jose's signature
 * and claims checks, then the profile (required claims, types, roles).
 */
import {
  decodeProtectedHeader,
  jwtVerify,
  type CompactJWSHeaderParameters,
  type FlattenedJWSInput,
  type JWTVerifyOptions,
} from 'jose';

import { AuthFortError } from '../errors.js';
import type { ResolvedKey } from '../jwks/state.js';
import type { ResolvedServiceAuthOptions } from '../options.js';
import { checkRequiredClaims, toVerifiedUser, type VerifiedUser } from './claims.js';
import { toAuthFortError } from './jose-errors.js';
import { VerifiedTokenCache } from './token-cache.js';

/** Where verification gets its keys: in production a `RemoteKeySet`. */
export interface KeySource {
  /**
   * The key named by the token's protected header, with the fingerprint its `kid` had in the key
   * set that supplied it (`undefined` for a token without `kid`).
   */
  resolveKey(header: CompactJWSHeaderParameters, token: FlattenedJWSInput): Promise<ResolvedKey>;
  /** Identity of the published key with this `kid`; `undefined` once it left the key set. */
  fingerprint(kid: string): string | undefined;
}

// Three base64url segments, none empty: a JWS in compact form (RFC 7515 section 7.1). An unsigned
// token (`alg: none`) has an empty third segment and a JWE has five, so neither gets further.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const UNSIGNED_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.$/;

// Claims jose itself must see: it checks their presence before their values.
const ALWAYS_REQUIRED = ['sub', 'exp', 'iss'];

/** Verifies tokens for one issuer with one set of options. */
export class TokenVerifier {
  readonly #options: ResolvedServiceAuthOptions;
  readonly #keys: KeySource;
  readonly #cache: VerifiedTokenCache;
  readonly #joseOptions: Omit<JWTVerifyOptions, 'currentDate'>;
  readonly #dottedRequired: readonly string[];

  /**
   * @param options - resolved options (see `resolveOptions`).
   * @param keys - where the verification keys come from.
   */
  constructor(options: ResolvedServiceAuthOptions, keys: KeySource) {
    this.#options = options;
    this.#keys = keys;
    this.#cache = new VerifiedTokenCache(options.tokenCacheSize, (kid) => keys.fingerprint(kid));

    const topLevel = options.requiredClaims.filter((claim) => !claim.includes('.'));
    this.#dottedRequired = options.requiredClaims.filter((claim) => claim.includes('.'));
    this.#joseOptions = {
      algorithms: [...options.algorithms],
      issuer: options.issuer,
      audience: options.audience.length > 0 ? [...options.audience] : undefined,
      clockTolerance: options.clockSkewSeconds,
      requiredClaims: [...new Set([...ALWAYS_REQUIRED, ...topLevel])],
    };
  }

  /**
   * Verifies `token` and returns its identity. Rejects with an {@link AuthFortError} whose `code`
   * says why; never with anything else. `undefined`, `null` and `''` are `ERR_TOKEN_MISSING`;
   * any other value that is not a string is `ERR_TOKEN_MALFORMED`.
   */
  async verify(token: unknown): Promise<VerifiedUser> {
    try {
      return await this.#verify(token);
    } catch (error) {
      throw toAuthFortError(error);
    }
  }

  async #verify(token: unknown): Promise<VerifiedUser> {
    if (token === undefined || token === null || token === '') {
      throw new AuthFortError('ERR_TOKEN_MISSING');
    }
    if (typeof token !== 'string') throw new AuthFortError('ERR_TOKEN_MALFORMED');

    // Length counts UTF-16 units; a token is base64url, so anything else is malformed anyway.
    if (token.length > this.#options.maxTokenBytes) throw new AuthFortError('ERR_TOKEN_TOO_LARGE');

    const nowMs = this.#options.clock();
    const cached = this.#cache.get(token, nowMs);
    if (cached !== undefined) return cached;

    const header = this.#readHeader(token);

    // The key comes with its fingerprint from the same key set: a refresh landing during the
    // (asynchronous) signature check must not let the cache file this token under a new key.
    let keyFingerprint: string | undefined;
    const { payload } = await jwtVerify(
      token,
      async (protectedHeader, input) => {
        const resolved = await this.#keys.resolveKey(protectedHeader, input);
        keyFingerprint = resolved.fingerprint;
        return resolved.key;
      },
      { ...this.#joseOptions, currentDate: new Date(nowMs) },
    );

    // jose checks a future `iat` only together with maxTokenAge; DESIGN.md gives iat the same
    // leeway as nbf, so a token minted in the future is refused here.
    const nowSeconds = nowMs / 1000;
    if (payload.iat !== undefined && payload.iat > nowSeconds + this.#options.clockSkewSeconds) {
      throw new AuthFortError('ERR_TOKEN_NOT_YET_VALID', undefined, { claim: 'iat' });
    }

    checkRequiredClaims(payload, this.#dottedRequired);

    const user = toVerifiedUser(payload, this.#options.rolesClaim);
    this.#cache.set(token, user, header.kid, keyFingerprint);
    return user;
  }

  /**
   * Refuses, before any key lookup, what needs no key to refuse: so a flood of junk or of
   * HMAC-signed tokens with made-up `kid`s never reaches the key set and never triggers a fetch.
   */
  #readHeader(token: string): CompactJWSHeaderParameters {
    if (UNSIGNED_JWS.test(token)) {
      throw new AuthFortError('ERR_TOKEN_ALG_NOT_ALLOWED', 'Unsigned tokens are never accepted.');
    }
    if (!COMPACT_JWS.test(token)) throw new AuthFortError('ERR_TOKEN_MALFORMED');

    let header: CompactJWSHeaderParameters;
    try {
      header = decodeProtectedHeader(token) as CompactJWSHeaderParameters;
    } catch (cause) {
      // jose throws a plain TypeError for a header that is not a base64url JSON object; left
      // alone it would read as ERR_INTERNAL, a server fault, for what is the client's junk.
      throw new AuthFortError('ERR_TOKEN_MALFORMED', undefined, { cause });
    }

    if (typeof header.alg !== 'string' || !this.#options.algorithms.includes(header.alg)) {
      throw new AuthFortError('ERR_TOKEN_ALG_NOT_ALLOWED');
    }
    if (header.kid !== undefined && typeof header.kid !== 'string') {
      throw new AuthFortError('ERR_TOKEN_MALFORMED');
    }

    // RFC 7515 section 4.1.11: a JWS naming a critical extension its recipient does not
    // understand is invalid. We understand none (jose's `b64` is not allowed in a JWT), and
    // jose's own refusal (JOSENotSupported) would read as an algorithm problem.
    if (header.crit !== undefined) throw new AuthFortError('ERR_TOKEN_MALFORMED');
    return header;
  }
}
