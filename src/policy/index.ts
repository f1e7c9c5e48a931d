/**
 * Route policy: what a route asks of a request (roles, introspection), from Envoy
 * `context_extensions`, the `/auth` query string or YAML route rules.
 */
export {
  INTROSPECT_EXTENSION,
  REQUIRED_ROLES_EXTENSION,
  policyFromContextExtensions,
} from './context-extensions.js';
export { normalizePath } from './normalize-path.js';
export { PathPattern } from './path-pattern.js';
export { policyFromQuery } from './query.js';
export { RouteTable, type RouteRule, type RouteTableOptions } from './route-table.js';
export {
  OPEN_POLICY,
  mergePolicies,
  routePolicy,
  unmetRoleSet,
  type RoutePolicy,
} from './route-policy.js';
