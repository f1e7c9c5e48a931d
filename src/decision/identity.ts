/**
 * The identity headers an allow decision sets on the request, and the ones it must clear.
 */
import { readClaim, type VerifiedUser } from '../jwt/claims.js';

/** One managed identity header: which claim fills it. */
export interface IdentityHeader {
  /**
   * Dot path of the claim. `roles` means the user's roles as read from the configured roles
   * claim (so `x-user-roles` works for Keycloak's `realm_access.roles` too); `sub` the subject.
   */
  readonly claim: string;
  /** Header name, lower-case. */
  readonly header: string;
}

/** DESIGN.md's default mapping. */
export const DEFAULT_IDENTITY_HEADERS: readonly IdentityHeader[] = [
  { claim: 'sub', header: 'x-user-id' },
  { claim: 'email', header: 'x-user-email' },
  { claim: 'roles', header: 'x-user-roles' },
];

/** The headers to set and the managed headers to remove, for one allowed request. */
export interface IdentityHeaders {
  /** `[name, value]` pairs, each overwriting any value the client sent. */
  readonly set: readonly (readonly [string, string])[];
  /** Managed headers the token does not fill: removed so a client cannot smuggle its own. */
  readonly remove: readonly string[];
}

// Visible ASCII, space and tab. A claim holding anything else (a CR or LF above all) is not put in
// a header: header injection from a claim value is ruled out, at the cost of dropping non-ASCII
// names. The header is removed instead, so the upstream never sees a client's value either.
const SAFE_VALUE = /^[\t\x20-\x7e]*$/;

function headerValue(user: VerifiedUser, claim: string): string | undefined {
  const value = claim === 'roles' ? user.roles : readClaim(user.claims, claim);

  let text: string | undefined;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    text = value.join(',');
  }

  if (text === undefined || text === '' || !SAFE_VALUE.test(text)) return undefined;
  return text;
}

/** Works out the identity headers of `user` under `mapping`. */
export function identityHeaders(
  user: VerifiedUser,
  mapping: readonly IdentityHeader[] = DEFAULT_IDENTITY_HEADERS,
): IdentityHeaders {
  const set: [string, string][] = [];
  const remove: string[] = [];
  for (const { claim, header } of mapping) {
    const value = headerValue(user, claim);
    if (value === undefined) remove.push(header);
    else set.push([header, value]);
  }
  return { set, remove };
}
