/**
 * Route rules from the YAML file, matched on method and path, first match wins.
 */
import { pathReadings } from './normalize-path.js';
import { policyError } from './operator-values.js';
import { lowerAscii, PathPattern } from './path-pattern.js';
import { mergePolicies, routePolicy, type RoutePolicy } from './route-policy.js';

/** One route rule, as written under `routes:` in the YAML file. */
export interface RouteRule {
  /**
   * Path pattern: `/orders` exact, `*` exactly one segment, `**` zero or more segments
   * (`/admin/**` matches `/admin` and everything below). Case-sensitive unless the table is
   * built with `caseSensitive: false`; a trailing slash is insignificant.
   */
  readonly path: string;
  /** Methods the rule applies to, compared upper-case. Absent: every method. */
  readonly methods?: readonly string[];
  /** Any-of roles the route requires. Absent or empty: any authenticated user. */
  readonly roles?: readonly string[];
  /** Whether the route asks for introspection. Default false. */
  readonly introspect?: boolean;
}

/** Options of a {@link RouteTable}. */
export interface RouteTableOptions {
  /**
   * Compare paths case-sensitively. Default true, as Envoy and NGINX route matching do. Set it
   * to false in front of a case-insensitive backend (IIS, ASP.NET, a case-insensitive file
   * system), where `/ADMIN` reaches the same handler as `/admin`.
   */
  readonly caseSensitive?: boolean;
}

interface CompiledRule {
  readonly pattern: PathPattern;
  readonly methods: ReadonlySet<string> | undefined;
  readonly policy: RoutePolicy;
}

// RFC 9110 section 5.6.2 `token`: what a method name may be.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// eslint-disable-next-line no-control-regex -- control characters are what this rejects
const CONTROL = /[\u0000-\u001f\u007f]/;

function compileMethods(
  methods: readonly string[] | undefined,
  key: string,
): ReadonlySet<string> | undefined {
  if (methods === undefined) return undefined;
  if (!Array.isArray(methods) || methods.length === 0) {
    throw policyError(key, `${key} must list at least one method (leave it out for every method)`);
  }

  const set = new Set<string>();
  for (const method of methods) {
    if (typeof method !== 'string' || !TOKEN.test(method)) {
      throw policyError(key, `${key} must list HTTP method names such as GET or POST`);
    }
    set.add(method.toUpperCase());
  }
  // Node, Express and most frameworks answer HEAD with the GET handler, so a rule guarding GET
  // that HEAD could skip would leak the handler's side effects and headers.
  if (set.has('GET')) set.add('HEAD');
  return set;
}

function compileRoles(roles: readonly string[] | undefined, key: string): readonly string[] {
  if (roles === undefined) return [];
  if (!Array.isArray(roles)) throw policyError(key, `${key} must be a list of role names`);

  return roles.map((role) => {
    if (typeof role !== 'string' || role.trim() === '' || CONTROL.test(role)) {
      throw policyError(key, `${key} must list non-empty role names`);
    }
    return role.trim();
  });
}

/**
 * Route rules compiled once and matched per request; the first rule whose method and path
 * match decides, so put specific rules before general ones (`/admin/public` before
 * `/admin/**`).
 *
 * A request path is matched in every way a server may read it (see `pathReadings`: escaped
 * slashes decoded or not, `%2e%2e` resolved or not, `;parameters` cut or not, and the path as
 * sent), and the strictest policy of the rules those readings hit applies. A plain path has one
 * reading; only paths carrying escapes, backslashes, `;` or dot segments pay for more. So
 * `/admin/../admin/x`, `//admin/x`, `/admin%2fx`, `/admin;p`, `/%61dmin`, `/x/%2e%2e/admin` and
 * `/admin/..%2Fpublic` cannot dodge a `/admin/**` rule, whichever way the backend reads them.
 *
 * Operators should know:
 * - Matching is case-sensitive by default, like Envoy and NGINX: `/ADMIN` does not match
 *   `/admin/**`. In front of a case-insensitive backend, build the table with
 *   `caseSensitive: false`, or `/ADMIN` reaches the admin handler unchecked.
 * - A rule listing GET also applies to HEAD (frameworks route HEAD to GET handlers).
 * - A backend that honours `X-HTTP-Method-Override` runs a method other than the one matched
 *   here; do not narrow rules by method in front of one.
 * - A request no rule matches gets `undefined`; the caller decides what that means (usually
 *   "any authenticated user", or a catch-all `/**` rule as the last rule).
 */
export class RouteTable {
  readonly #rules: readonly CompiledRule[];
  readonly #caseSensitive: boolean;

  /**
   * @param rules - the rules in priority order
   * @param options - matching options; paths are case-sensitive by default
   * @throws AuthFortError `ERR_CONFIG_INVALID` with `key` such as `routes[2].path` for a rule
   *   that is malformed or could never match
   */
  constructor(rules: readonly RouteRule[], options: RouteTableOptions = {}) {
    this.#caseSensitive = options.caseSensitive ?? true;

    this.#rules = rules.map((rule, index) => {
      const prefix = `routes[${index}]`;
      const pattern = new PathPattern(rule.path, `${prefix}.path`, this.#caseSensitive);
      const methods = compileMethods(rule.methods, `${prefix}.methods`);
      const roles = compileRoles(rule.roles, `${prefix}.roles`);
      return { pattern, methods, policy: routePolicy(roles, rule.introspect === true) };
    });
  }

  /** How many rules the table holds. */
  get size(): number {
    return this.#rules.length;
  }

  /**
   * The policy of the first rule matching `method` and `path`, merged over every reading of an
   * ambiguous path (strictest wins), or `undefined` when no rule matches.
   *
   * @param method - the request method, any case
   * @param path - the raw request target (`:path`), query and all; it is normalised here
   */
  match(method: string, path: string): RoutePolicy | undefined {
    if (this.#rules.length === 0) return undefined;

    const verb = method.toUpperCase();
    const readings = pathReadings(path);
    if (readings.length === 1) return this.#first(verb, readings[0] as readonly string[]);

    const hits: RoutePolicy[] = [];
    for (const segments of readings) {
      const policy = this.#first(verb, segments);
      if (policy !== undefined) hits.push(policy);
    }
    return hits.length === 0 ? undefined : mergePolicies(...hits);
  }

  #first(verb: string, segments: readonly string[]): RoutePolicy | undefined {
    const compared = this.#caseSensitive ? segments : segments.map(lowerAscii);

    for (const rule of this.#rules) {
      if (rule.methods !== undefined && !rule.methods.has(verb)) continue;
      if (rule.pattern.matches(compared)) return rule.policy;
    }
    return undefined;
  }
}
