/**
 * authfort-service as a library: verify AuthFort (or any OpenID Connect) access tokens in-process
 * against the issuer's cached JSON Web Key Set.
 *
 * ```ts
 * import { ServiceAuth } from 'authfort-service';
 * const auth = new ServiceAuth({ jwksUrl: 'https://auth.example.com/.well-known/jwks.json' });
 * const user = await auth.verifyToken(token);
 * auth.requireRole(user, ['admin', 'editor']);
 * ```
 */
export { ServiceAuth } from './service-auth.js';
export type { VerifiedUser } from './jwt/claims.js';
export {
  DEFAULTS,
  SUPPORTED_ALGORITHMS,
  type ResolvedServiceAuthOptions,
  type ServiceAuthOptions,
} from './options.js';
export {
  AuthFortError,
  ERRORS,
  GrpcCode,
  isAuthFortError,
  type Challenge,
  type ErrorCode,
  type ErrorContext,
  type ErrorSpec,
} from './errors.js';
export { RemoteKeySet } from './jwks/remote-key-set.js';
export { extractToken, type TokenSource } from './decision/token-source.js';
