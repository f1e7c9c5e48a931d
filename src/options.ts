/**
 * Options of the {@link ServiceAuth} verifier: DESIGN.md's settings in camelCase, with defaults.
 */
import { AuthFortError } from './errors.js';

/** Options for `new ServiceAuth(options)`. Every field but the key set's location is optional. */
export interface ServiceAuthOptions {
  /** URL of the JSON Web Key Set to trust. One of this or `discoveryUrl` is required. */
  jwksUrl?: string;
  /** OpenID discovery document (`.../.well-known/openid-configuration`); its `jwks_uri` is used. */
  discoveryUrl?: string;
  /** Required `iss` claim. Default `authfort`. */
  issuer?: string;
  /** Required `aud` claim, any of these. Default: `aud` is not checked. */
  audience?: string | readonly string[];
  /** Accepted `alg` values. Default `RS256, PS256, ES256, EdDSA`; `none` and HMAC never. */
  algorithms?: readonly string[];
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. Default 30. */
  clockSkewSeconds?: number;
  /**
   * Claims every token must carry; dot paths reach into objects. Default the AuthFort access
   * token profile `sub, email, roles, ver, iat, exp, iss`, which also keeps AuthFort's MFA
   * challenge tokens (no `roles`, no `ver`) from passing as access tokens.
   */
  requiredClaims?: readonly string[];
  /** Dot path to the roles list, for example `realm_access.roles`. Default `roles`. */
  rolesClaim?: string;
  /** Longest a key set is used before it is fetched again, in seconds. Default 600. */
  jwksMaxAgeSeconds?: number;
  /**
   * Least time between key set fetches that unknown `kid`s or failures trigger, in seconds.
   * Default 30; 0 means no cooldown.
   */
  jwksCooldownSeconds?: number;
  /** How long one key set request may take, in milliseconds. Default 5000. */
  jwksTimeoutMs?: number;
  /** Largest key set response accepted, in bytes. Default 262144 (256 KiB). */
  jwksMaxBytes?: number;
  /** Largest token accepted, in bytes. Default 8192. */
  maxTokenBytes?: number;
  /**
   * How many verified tokens to remember, skipping repeated signature checks. Default 10000;
   * 0 turns the cache off.
   */
  tokenCacheSize?: number;
  /** Clock in milliseconds since the epoch; for tests. Default `Date.now`. */
  clock?: () => number;
}

/** {@link ServiceAuthOptions} with every default filled in. */
export interface ResolvedServiceAuthOptions {
  readonly jwksUrl: string | undefined;
  readonly discoveryUrl: string | undefined;
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly algorithms: readonly string[];
  readonly clockSkewSeconds: number;
  readonly requiredClaims: readonly string[];
  readonly rolesClaim: string;
  readonly jwksMaxAgeSeconds: number;
  readonly jwksCooldownSeconds: number;
  readonly jwksTimeoutMs: number;
  readonly jwksMaxBytes: number;
  readonly maxTokenBytes: number;
  readonly tokenCacheSize: number;
  readonly clock: () => number;
}

/** Defaults from DESIGN.md (the public contract); change them only through an issue. */
export const DEFAULTS = {
  issuer: 'authfort',
  algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
  clockSkewSeconds: 30,
  requiredClaims: ['sub', 'email', 'roles', 'ver', 'iat', 'exp', 'iss'],
  rolesClaim: 'roles',
  jwksMaxAgeSeconds: 600,
  jwksCooldownSeconds: 30,
  jwksTimeoutMs: 5000,
  jwksMaxBytes: 256 * 1024,
  maxTokenBytes: 8192,
  tokenCacheSize: 10_000,
} as const;

/**
 * Algorithms that may be configured at all: asymmetric signatures only. `none` and the HMAC
 * family are absent on purpose: with a public key set, an HMAC "secret" is public.
 */
export const SUPPORTED_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

function invalidOption(key: string, problem: string): AuthFortError {
  return new AuthFortError('ERR_CONFIG_INVALID', `${key} ${problem}`, { key });
}

function wholeNumber(key: string, value: number | undefined, fallback: number, min: number) {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalidOption(key, `must be a whole number of at least ${min}, got ${String(value)}`);
  }
  return value;
}

function httpUrl(key: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidOption(key, 'must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalidOption(key, 'must be an http or https URL');
  }
  return url.href;
}

function list(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

/**
 * Validates {@link ServiceAuthOptions} and fills in the defaults. Throws `ERR_CONFIG_INVALID`
 * whose `key` names the option at fault.
 */
export function resolveOptions(options: ServiceAuthOptions): ResolvedServiceAuthOptions {
  const jwksUrl = httpUrl('jwksUrl', options.jwksUrl);
  const discoveryUrl = httpUrl('discoveryUrl', options.discoveryUrl);
  if ((jwksUrl === undefined) === (discoveryUrl === undefined)) {
    throw invalidOption('jwksUrl', 'or discoveryUrl must be set, and not both');
  }

  const algorithms = options.algorithms ?? DEFAULTS.algorithms;
  const refused = algorithms.find((alg) => !SUPPORTED_ALGORITHMS.includes(alg));
  if (refused !== undefined || algorithms.length === 0) {
    throw invalidOption(
      'algorithms',
      `must list asymmetric signature algorithms only (none and HMAC are never accepted), got ${
        refused ?? 'an empty list'
      }`,
    );
  }

  const issuer = options.issuer ?? DEFAULTS.issuer;
  if (issuer === '') throw invalidOption('issuer', 'must not be empty');

  return {
    jwksUrl,
    discoveryUrl,
    issuer,
    audience: list(options.audience),
    algorithms: [...algorithms],
    clockSkewSeconds: wholeNumber(
      'clockSkewSeconds',
      options.clockSkewSeconds,
      DEFAULTS.clockSkewSeconds,
      0,
    ),
    requiredClaims: [...(options.requiredClaims ?? DEFAULTS.requiredClaims)],
    rolesClaim: options.rolesClaim ?? DEFAULTS.rolesClaim,
    jwksMaxAgeSeconds: wholeNumber(
      'jwksMaxAgeSeconds',
      options.jwksMaxAgeSeconds,
      DEFAULTS.jwksMaxAgeSeconds,
      1,
    ),
    jwksCooldownSeconds: wholeNumber(
      'jwksCooldownSeconds',
      options.jwksCooldownSeconds,
      DEFAULTS.jwksCooldownSeconds,
      0,
    ),
    jwksTimeoutMs: wholeNumber('jwksTimeoutMs', options.jwksTimeoutMs, DEFAULTS.jwksTimeoutMs, 1),
    jwksMaxBytes: wholeNumber('jwksMaxBytes', options.jwksMaxBytes, DEFAULTS.jwksMaxBytes, 1024),
    maxTokenBytes: wholeNumber('maxTokenBytes', options.maxTokenBytes, DEFAULTS.maxTokenBytes, 64),
    tokenCacheSize: wholeNumber(
      'tokenCacheSize',
      options.tokenCacheSize,
      DEFAULTS.tokenCacheSize,
      0,
    ),
    clock: options.clock ?? Date.now,
  };
}
