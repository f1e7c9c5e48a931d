/**
 * Route policy from the query string of the HTTP forward-auth endpoint, fixed in the proxy
 * configuration: `auth_request /auth?roles=admin&introspect=true` (NGINX), a Traefik
 * ForwardAuth `address`, a Caddy `forward_auth ... uri`.
 */
import { parseFlag, parseRoleList, policyError } from './operator-values.js';
import { OPEN_POLICY, routePolicy, type RoutePolicy } from './route-policy.js';

const KNOWN = new Set(['roles', 'introspect']);

/**
 * Reads the route policy from the forward-auth endpoint's own query string.
 *
 * - `roles=admin,owner`: one any-of set. Repeated parameters (`roles=admin&roles=owner`) join
 *   the same any-of set, as a comma list would.
 * - `introspect=true|false`: exactly those words; given at most once.
 *
 * Call it only for the exact `/auth` endpoint. In Envoy's HTTP ext_authz mode the request is
 * `/auth/<original path>?<original query>`: that query string is the client's, and reading
 * policy from it would let a client choose its own roles. Use route rules there instead.
 *
 * Unknown parameters and junk are errors (fail closed: the core denies with status 500). The
 * error message never quotes the value, in case a misconfigured proxy forwarded a client's
 * query string here.
 *
 * @throws AuthFortError `ERR_CONFIG_INVALID` with `key` `query.<name>`
 */
export function policyFromQuery(query: URLSearchParams): RoutePolicy {
  const names = new Set(query.keys());
  if (names.size === 0) return OPEN_POLICY;

  for (const name of names) {
    if (KNOWN.has(name)) continue;
    // The name, unlike a value, is part of the operator's URL; still cut it short.
    const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
    const key = `query.${shown}`;
    throw policyError(key, `${JSON.stringify(shown)} is not a known query parameter of /auth`);
  }

  const roleValues = query.getAll('roles');
  const roles = roleValues.length === 0 ? [] : parseRoleList(roleValues, 'query.roles', false);

  const introspectValues = query.getAll('introspect');
  if (introspectValues.length > 1) {
    throw policyError('query.introspect', 'query.introspect must be given at most once');
  }
  const [introspectValue] = introspectValues;
  const introspect =
    introspectValue === undefined ? false : parseFlag(introspectValue, 'query.introspect', false);

  return routePolicy(roles, introspect);
}
