/**
 * Translates jose's errors into this project's codes, so callers branch on one set of codes.
 */
import { errors } from 'jose';

import { AuthFortError, isAuthFortError, type ErrorCode } from '../errors.js';

function claimFailure(claim: string, reason: string): ErrorCode {
  if (reason === 'missing') return 'ERR_TOKEN_CLAIM_MISSING';
  if (claim === 'iss') return 'ERR_TOKEN_ISSUER_MISMATCH';
  if (claim === 'aud') return 'ERR_TOKEN_AUDIENCE_MISMATCH';
  // Only a failed time check is "not yet valid"; an `nbf` that is not a number is a bad claim.
  if ((claim === 'nbf' || claim === 'iat') && reason === 'check_failed') {
    return 'ERR_TOKEN_NOT_YET_VALID';
  }
  return 'ERR_TOKEN_CLAIM_INVALID';
}

function codeOf(error: errors.JOSEError): ErrorCode {
  if (error instanceof errors.JWTExpired) return 'ERR_TOKEN_EXPIRED';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return claimFailure(error.claim, error.reason);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return 'ERR_TOKEN_ALG_NOT_ALLOWED';
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'ERR_TOKEN_SIGNATURE_INVALID';
  if (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return 'ERR_TOKEN_KEY_UNKNOWN';
  }
  return 'ERR_TOKEN_MALFORMED';
}

/**
 * The {@link AuthFortError} for anything thrown while verifying a token. Our own errors pass
 * through; jose's are mapped by class; anything else is `ERR_INTERNAL`, which denies.
 */
export function toAuthFortError(error: unknown): AuthFortError {
  if (isAuthFortError(error)) return error;

  if (error instanceof errors.JOSEError) {
    const claim =
      error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired
        ? error.claim
        : undefined;
    // jose's messages quote no token material, but ours come from the table so they stay stable.
    return new AuthFortError(codeOf(error), undefined, { claim, cause: error });
  }

  return new AuthFortError('ERR_INTERNAL', undefined, { cause: error });
}
