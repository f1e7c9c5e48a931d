/**
 * From a verified JWT payload to the identity a service acts on.
 *
 * jose has already checked the signature and the registered time claims by the time these run;
 * what is left is the profile: which claims must be there, what type each must have, and where the
 * roles live.
 */
import type { JWTPayload } from 'jose';

import { AuthFortError } from '../errors.js';

/** The identity a verified access token carries. */
export interface VerifiedUser {
  /** Subject: the user's id (`sub`). Always present. */
  readonly sub: string;
  /** `email`, when the token carries it. */
  readonly email?: string;
  /** `name`, when the token carries it. */
  readonly name?: string;
  /** Roles read from the configured roles claim path; empty when the token has none. */
  readonly roles: readonly string[];
  /** AuthFort token version (`ver`); bumped by the auth server to revoke older tokens. */
  readonly tokenVersion?: number;
  /** AuthFort session id (`sid`). */
  readonly sessionId?: string;
  /** AuthFort `mfa_enabled`. */
  readonly mfaEnabled?: boolean;
  /** `iss`. */
  readonly issuer: string;
  /** `iat`, in seconds since the epoch, when present. */
  readonly issuedAt?: number;
  /** `exp`, in seconds since the epoch. Always present. */
  readonly expiresAt: number;
  /** Every claim of the token as issued, including ones this type does not name. */
  readonly claims: Readonly<JWTPayload>;
}

/**
 * Reads a dot path (`realm_access.roles`) from a claims object. A path whose every segment is an
 * own property is followed; anything else reads as `undefined`, so `__proto__` and friends never
 * resolve to something the token did not send.
 */
export function readClaim(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = claims;
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** Throws `ERR_TOKEN_CLAIM_MISSING` for the first required claim (dot path) the token lacks. */
export function checkRequiredClaims(
  claims: Readonly<Record<string, unknown>>,
  required: readonly string[],
): void {
  for (const path of required) {
    const value = readClaim(claims, path);
    if (value === undefined || value === null) {
      throw new AuthFortError('ERR_TOKEN_CLAIM_MISSING', `The token lacks the "${path}" claim.`, {
        claim: path,
      });
    }
  }
}

function invalid(claim: string, expected: string): AuthFortError {
  return new AuthFortError('ERR_TOKEN_CLAIM_INVALID', `The "${claim}" claim must be ${expected}.`, {
    claim,
  });
}

function optionalString(claims: JWTPayload, claim: string): string | undefined {
  const value = claims[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(claim, 'a string');
  return value;
}

/** The roles list at `path`: absent is no roles; anything but a list of strings is refused. */
export function readRoles(claims: JWTPayload, path: string): readonly string[] {
  const value = readClaim(claims, path);
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((role) => typeof role === 'string')) {
    throw invalid(path, 'a list of strings');
  }
  return Object.freeze([...value]);
}

/**
 * Builds the {@link VerifiedUser} of a payload whose signature and time claims jose accepted,
 * checking the types of the claims it exposes.
 */
export function toVerifiedUser(claims: JWTPayload, rolesClaim: string): VerifiedUser {
  // AuthFort signs MFA challenge tokens with the same key. Whatever the required-claims setting,
  // a token that declares another purpose is never an access token.
  const purpose = claims['purpose'];
  if (purpose !== undefined && purpose !== 'access') throw invalid('purpose', 'absent or "access"');

  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw invalid('sub', 'a non-empty string');
  }

  const ver = claims['ver'];
  if (ver !== undefined && !Number.isSafeInteger(ver)) throw invalid('ver', 'an integer');

  const mfa = claims['mfa_enabled'];
  if (mfa !== undefined && typeof mfa !== 'boolean') throw invalid('mfa_enabled', 'a boolean');

  const user: VerifiedUser = {
    sub: claims.sub,
    email: optionalString(claims, 'email'),
    name: optionalString(claims, 'name'),
    roles: readRoles(claims, rolesClaim),
    tokenVersion: ver as number | undefined,
    sessionId: optionalString(claims, 'sid'),
    mfaEnabled: mfa as boolean | undefined,
    issuer: claims.iss as string,
    issuedAt: claims.iat,
    expiresAt: claims.exp as number,
    claims: deepFreeze(claims),
  };
  return Object.freeze(user);
}

// A verified user may be served again from the token cache to other callers, so no caller may
// change what the next one sees, down to a nested claim such as `realm_access.roles`.
function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;

  Object.freeze(value);
  for (const member of Object.values(value)) deepFreeze(member);
  return value;
}
