/**
 * A decision is a value: allow with an identity, or deny with a reason code. Transports turn it
 * into their own answer through the error table; nothing here knows about gRPC or HTTP.
 */
import { AuthFortError, ERRORS, type Challenge, type ErrorCode } from '../errors.js';
import type { VerifiedUser } from '../jwt/claims.js';

/** The request may pass, as this user. */
export interface Allow {
  readonly allowed: true;
  readonly user: VerifiedUser;
}

/** The request must not pass; `code` says why and, through the error table, how to answer. */
export interface Deny {
  readonly allowed: false;
  readonly code: ErrorCode;
  /** The error behind the denial, for logs and metrics; never sent to a client as is. */
  readonly error: AuthFortError;
}

/** The outcome of one check. */
export type Decision = Allow | Deny;

/** An allow decision for `user`. */
export function allow(user: VerifiedUser): Allow {
  return { allowed: true, user };
}

/** A deny decision for `error`. */
export function deny(error: AuthFortError): Deny {
  return { allowed: false, code: error.code, error };
}

/**
 * True when the denial means "no safe answer exists" (a dependency is down): the gRPC adapter
 * then fails the RPC with UNAVAILABLE so that Envoy's `failure_mode_allow` decides.
 */
export function isDependencyFailure(decision: Deny): boolean {
  return ERRORS[decision.code].status === 503;
}

function quoted(value: string): string {
  // RFC 9110 quoted-string: escape the two characters that would end or break the string.
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

/**
 * The `WWW-Authenticate` value for a denial (RFC 6750 section 3), or `undefined` when the code
 * carries no challenge. The description comes from the error table, never from the request.
 */
export function challengeFor(code: ErrorCode, realm: string): string | undefined {
  const challenge: Challenge = ERRORS[code].challenge;
  if (challenge === 'none') return undefined;

  const realmPart = `Bearer realm=${quoted(realm)}`;
  if (challenge === 'realm') return realmPart;

  return `${realmPart}, error=${quoted(challenge)}, error_description=${quoted(
    ERRORS[code].description,
  )}`;
}

/** The short JSON body of a denial: `{"error":"ERR_..."}`. */
export function denialBody(code: ErrorCode): string {
  return JSON.stringify({ error: code });
}
