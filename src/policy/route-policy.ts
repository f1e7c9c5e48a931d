/**
 * The route policy: what a route asks of a request beyond a valid token.
 *
 * A policy is a value. It comes from where the proxy operator controls it (Envoy
 * `context_extensions`, the `/auth` query string fixed in the proxy config, YAML route rules),
 * never from a header the client could set, and several of them combine with
 * {@link mergePolicies}.
 */

/** What a route asks of a request beyond a valid token. */
export interface RoutePolicy {
  /**
   * Each inner list is an any-of set of roles; a token must hold at least one role of every set.
   * Empty: any authenticated user. An empty inner set can be met by no token (it fails closed).
   */
  readonly roleSets: readonly (readonly string[])[];
  /** Ask the introspection endpoint whether the token is still active before allowing. */
  readonly introspect: boolean;
}

/** The policy of a route that asks for nothing but a valid token: no roles, no introspection. */
export const OPEN_POLICY: RoutePolicy = Object.freeze({
  roleSets: Object.freeze([]),
  introspect: false,
});

/**
 * A policy asking for any one of `roles` (none: any authenticated user) and, when `introspect`
 * is true, for introspection.
 */
export function routePolicy(roles: readonly string[], introspect = false): RoutePolicy {
  if (roles.length === 0 && !introspect) return OPEN_POLICY;

  const roleSets = roles.length === 0 ? [] : [Object.freeze([...new Set(roles)])];
  return Object.freeze({ roleSets: Object.freeze(roleSets), introspect });
}

/**
 * Combines policies so that the strictest wins: the role sets are concatenated (a token must
 * satisfy each of them, so `admin` from one source and `owner` from another means both) and
 * introspection is asked for when any policy asks for it. `undefined` entries (a source that
 * said nothing, such as a route table with no matching rule) are skipped; merging nothing gives
 * {@link OPEN_POLICY}. Identical role sets are kept once.
 */
export function mergePolicies(...policies: readonly (RoutePolicy | undefined)[]): RoutePolicy {
  const present = policies.filter((policy) => policy !== undefined);
  if (present.length === 0) return OPEN_POLICY;
  if (present.length === 1) return present[0] as RoutePolicy;

  const roleSets: (readonly string[])[] = [];
  const seen = new Set<string>();
  let introspect = false;

  for (const policy of present) {
    introspect ||= policy.introspect;
    for (const set of policy.roleSets) {
      // Order inside an any-of set does not matter, so sorted contents identify it.
      const id = JSON.stringify([...set].sort());
      if (seen.has(id)) continue;
      seen.add(id);
      roleSets.push(set);
    }
  }

  if (roleSets.length === 0 && !introspect) return OPEN_POLICY;
  return Object.freeze({ roleSets: Object.freeze(roleSets), introspect });
}

/**
 * The first role set of `policy` that `roles` (the token's roles) does not meet, or `undefined`
 * when the token satisfies the policy. The decision core denies with `ERR_ROLE_MISSING` on a set.
 */
export function unmetRoleSet(
  policy: RoutePolicy,
  roles: readonly string[],
): readonly string[] | undefined {
  if (policy.roleSets.length === 0) return undefined;

  const held = new Set(roles);
  return policy.roleSets.find((set) => !set.some((role) => held.has(role)));
}
