/**
 * Every failure the service or the library reports, with a stable string `code`.
 *
 * One table ({@link ERRORS}) gives each code its meaning and how it goes on the wire: the HTTP
 * status, the gRPC status code and the RFC 6750 `WWW-Authenticate` challenge. The decision core,
 * both transports and the README all read this table, so a code means one thing everywhere.
 */

/** gRPC status codes this service answers with (a subset of `google.rpc.Code`). */
export const GrpcCode = {
  OK: 0,
  PERMISSION_DENIED: 7,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** One of the {@link GrpcCode} values. */
export type GrpcCode = (typeof GrpcCode)[keyof typeof GrpcCode];

/**
 * The `WWW-Authenticate` challenge a denial carries (RFC 6750 section 3).
 *
 * - `realm`: `Bearer realm="..."` alone, for a request that sent no token (section 3.1 says the
 *   error attribute should be left out when the request lacked authentication information);
 * - `invalid_token` / `insufficient_scope`: the realm plus that `error` attribute;
 * - `none`: no challenge, for failures that are not the client's doing.
 */
export type Challenge = 'none' | 'realm' | 'invalid_token' | 'insufficient_scope';

/** How one error code goes on the wire. */
export interface ErrorSpec {
  /** HTTP status for forward-auth answers and for library users who map errors to responses. */
  readonly status: 401 | 403 | 500 | 503;
  /** gRPC status code carried by an Envoy `CheckResponse` (or the RPC's own status for 14). */
  readonly grpc: GrpcCode;
  /** The RFC 6750 challenge a denial with this code carries. */
  readonly challenge: Challenge;
  /** One sentence, safe to show a client as `error_description`: it never holds request data. */
  readonly description: string;
}

const unauthenticated = (description: string): ErrorSpec => ({
  status: 401,
  grpc: GrpcCode.UNAUTHENTICATED,
  challenge: 'invalid_token',
  description,
});

const unavailable = (description: string): ErrorSpec => ({
  status: 503,
  grpc: GrpcCode.UNAVAILABLE,
  challenge: 'none',
  description,
});

/** Every error code, what it means, and how it is answered. */
export const ERRORS = {
  ERR_TOKEN_MISSING: {
    status: 401,
    grpc: GrpcCode.UNAUTHENTICATED,
    challenge: 'realm',
    description: 'The request carries no bearer token.',
  },
  ERR_TOKEN_MALFORMED: unauthenticated('The token is not a well-formed signed JWT.'),
  ERR_TOKEN_TOO_LARGE: unauthenticated('The token is larger than the configured limit.'),
  ERR_TOKEN_ALG_NOT_ALLOWED: unauthenticated('The token is signed with an algorithm not accepted.'),
  ERR_TOKEN_KEY_UNKNOWN: unauthenticated('The token names a key the issuer does not publish.'),
  ERR_TOKEN_SIGNATURE_INVALID: unauthenticated('The token signature does not verify.'),
  ERR_TOKEN_EXPIRED: unauthenticated('The token has expired.'),
  ERR_TOKEN_NOT_YET_VALID: unauthenticated('The token is not valid yet (nbf or iat).'),
  ERR_TOKEN_ISSUER_MISMATCH: unauthenticated('The token was issued by an issuer not trusted.'),
  ERR_TOKEN_AUDIENCE_MISMATCH: unauthenticated('The token is not meant for this audience.'),
  ERR_TOKEN_CLAIM_MISSING: unauthenticated('The token lacks a required claim.'),
  ERR_TOKEN_CLAIM_INVALID: unauthenticated('A token claim has the wrong type or value.'),
  ERR_TOKEN_INACTIVE: unauthenticated('The auth server reports the token as no longer active.'),
  ERR_ROLE_MISSING: {
    status: 403,
    grpc: GrpcCode.PERMISSION_DENIED,
    challenge: 'insufficient_scope',
    description: 'The token has none of the roles this route requires.',
  },
  ERR_JWKS_UNAVAILABLE: unavailable('No key set has been loaded from the issuer yet.'),
  ERR_JWKS_FETCH_FAILED: unavailable('The key set request failed or answered a non-200 status.'),
  ERR_JWKS_TIMEOUT: unavailable('The key set request timed out.'),
  ERR_JWKS_INVALID: unavailable('The key set response is not a usable JSON Web Key Set.'),
  ERR_JWKS_TOO_LARGE: unavailable('The key set response is larger than the configured limit.'),
  ERR_JWKS_REDIRECT: unavailable('The key set request was redirected to another origin.'),
  ERR_DISCOVERY_INVALID: unavailable('The OpenID discovery document has no usable jwks_uri.'),
  ERR_INTROSPECTION_NOT_CONFIGURED: unavailable(
    'The route requires introspection but no introspection endpoint is configured.',
  ),
  ERR_INTROSPECTION_UNAVAILABLE: unavailable('The introspection endpoint failed or timed out.'),
  ERR_CONFIG_INVALID: {
    status: 500,
    grpc: GrpcCode.INTERNAL,
    challenge: 'none',
    description: 'The configuration is invalid.',
  },
  ERR_INTERNAL: {
    status: 500,
    grpc: GrpcCode.INTERNAL,
    challenge: 'none',
    description: 'An unexpected error occurred; the request was denied.',
  },
} as const satisfies Record<string, ErrorSpec>;

/** A stable error code: one of the keys of {@link ERRORS}. */
export type ErrorCode = keyof typeof ERRORS;

/** Context that rides on an {@link AuthFortError}. None of it may hold a token or a secret. */
export interface ErrorContext {
  /** The claim that failed validation (`exp`, `iss`, `roles`, ...). */
  readonly claim?: string;
  /** HTTP status the upstream (key set or introspection endpoint) answered. */
  readonly upstreamStatus?: number;
  /** The URL the failing upstream request went to (never with credentials in it). */
  readonly url?: string;
  /** For configuration errors: the setting at fault (`AUTHFORT_JWKS_URL`, `routes[2].path`). */
  readonly key?: string;
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * The one error class of authfort-service. Branch on {@link AuthFortError.code}, never on the
 * message: codes are stable, messages are for people.
 */
export class AuthFortError extends Error {
  /** Stable string code, a key of {@link ERRORS}. */
  readonly code: ErrorCode;
  /** HTTP status this error answers with (from {@link ERRORS}). */
  readonly status: number;
  /** The claim that failed, when a claim did. */
  readonly claim?: string;
  /** HTTP status a failed upstream call answered (jose drops it; we keep it). */
  readonly upstreamStatus?: number;
  /** URL of the failed upstream call. */
  readonly url?: string;
  /** The configuration key at fault, for {@link ERRORS.ERR_CONFIG_INVALID}. */
  readonly key?: string;

  constructor(code: ErrorCode, message?: string, context: ErrorContext = {}) {
    super(message ?? ERRORS[code].description, { cause: context.cause });
    this.name = 'AuthFortError';
    this.code = code;
    this.status = ERRORS[code].status;
    if (context.claim !== undefined) this.claim = context.claim;
    if (context.upstreamStatus !== undefined) this.upstreamStatus = context.upstreamStatus;
    if (context.url !== undefined) this.url = context.url;
    if (context.key !== undefined) this.key = context.key;
  }
}

/** True when `value` is an {@link AuthFortError} (also across duplicated package copies). */
export function isAuthFortError(value: unknown): value is AuthFortError {
  if (value instanceof AuthFortError) return true;
  if (!(value instanceof Error) || value.name !== 'AuthFortError') return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && code in ERRORS;
}
