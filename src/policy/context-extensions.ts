/**
 * Route policy from Envoy's per-route `context_extensions`
 * (`ExtAuthzPerRoute.check_settings.context_extensions`), which Envoy sends in every
 * `CheckRequest` as `attributes.context_extensions`.
 */
import { parseFlag, parseRoleList, policyError } from './operator-values.js';
import { OPEN_POLICY, routePolicy, type RoutePolicy } from './route-policy.js';

/** The `context_extensions` key holding the any-of role list, such as `"admin,owner"`. */
export const REQUIRED_ROLES_EXTENSION = 'required_roles';

/** The `context_extensions` key asking for introspection: `"true"` or `"false"`. */
export const INTROSPECT_EXTENSION = 'introspect';

const KNOWN = new Set([REQUIRED_ROLES_EXTENSION, INTROSPECT_EXTENSION]);

/**
 * Reads the route policy an Envoy operator attached to a route:
 *
 * ```yaml
 * typed_per_filter_config:
 *   envoy.filters.http.ext_authz:
 *     "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute
 *     check_settings:
 *       context_extensions: { required_roles: "admin,owner", introspect: "true" }
 * ```
 *
 * `required_roles` is one any-of set; `introspect` must be exactly `"true"` or `"false"`.
 * Envoy merges route, virtual host and listener extensions key by key, the most specific
 * winning, so a route can tighten or loosen what its virtual host set.
 *
 * The map is addressed to this service alone (each ext_authz filter has its own), so an unknown
 * key is an error, not ignored: a typo such as `required_role` would otherwise silently let any
 * authenticated user through. Junk fails closed: the `ERR_CONFIG_INVALID` this throws makes the
 * decision core deny with status 500 and log the key, never allow.
 *
 * @throws AuthFortError `ERR_CONFIG_INVALID` with `key` `context_extensions.<name>`
 */
export function policyFromContextExtensions(ext: Readonly<Record<string, string>>): RoutePolicy {
  const names = Object.keys(ext);
  if (names.length === 0) return OPEN_POLICY;

  for (const name of names) {
    if (KNOWN.has(name)) continue;
    const key = `context_extensions.${name}`;
    const expected = `${REQUIRED_ROLES_EXTENSION} or ${INTROSPECT_EXTENSION}`;
    throw policyError(key, `${key} is not a known setting (expected ${expected})`);
  }

  const rolesValue = ext[REQUIRED_ROLES_EXTENSION];
  const roles =
    rolesValue === undefined
      ? []
      : parseRoleList([rolesValue], `context_extensions.${REQUIRED_ROLES_EXTENSION}`, true);

  const introspectValue = ext[INTROSPECT_EXTENSION];
  const introspect =
    introspectValue === undefined
      ? false
      : parseFlag(introspectValue, `context_extensions.${INTROSPECT_EXTENSION}`, true);

  return routePolicy(roles, introspect);
}
