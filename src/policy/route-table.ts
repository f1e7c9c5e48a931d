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
   * (`/admin/**` matches `/admin` and everything below). Letter case: see
   * {@link RouteTableOptions.caseSensitive}; a trailing slash is insignificant.
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
   * How letter case is compared. `true`: exactly, as Envoy and NGINX route. `false`: ignoring
   * ASCII case. Default (unset): both, strictest wins, because backends differ (Express and IIS
   * route `/ADMIN` to the `/admin` handler, Envoy and NGINX do not), and a rule can only add
   * requirements: matching a path both ways never lets a request skip a rule that either reading
   * would have hit, nor lets an earlier case-folded rule shadow a later exact one.
   */
  readonly caseSensitive?: boolean;
}

interface CompiledRule {
  /** The pattern compared exactly, and compared with ASCII case folded. */
  readonly pattern: PathPattern;
  readonly foldedPattern: PathPattern;
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
 * - By default a path is matched both exactly and with letter case folded, and the strictest
 *   policy wins (see {@link RouteTableOptions.caseSensitive}), so `/ADMIN` cannot dodge
 *   `/admin/**` whatever the backend does with case.
 * - A rule listing GET also applies to HEAD (frameworks route HEAD to GET handlers).
 * - A backend that honours `X-HTTP-Method-Override` runs a method other than the one matched
 *   here; do not narrow rules by method in front of one.
 * - A request no rule matches gets `undefined`; the caller decides what that means (usually
 *   "any authenticated user", or a catch-all `/**` rule as the last rule).
 */
export class RouteTable {
  readonly #rules: readonly CompiledRule[];
  /** Which comparisons run: exact, case-folded, or both. */
  readonly #folds: readonly boolean[];

  /**
   * @param rules - the rules in priority order
   * @param options - matching options; by default paths match both exactly and case-folded
   * @throws AuthFortError `ERR_CONFIG_INVALID` with `key` such as `routes[2].path` for a rule
   *   that is malformed or could never match
   */
  constructor(rules: readonly RouteRule[], options: RouteTableOptions = {}) {
    this.#folds =
      options.caseSensitive === undefined ? [false, true] : [options.caseSensitive === false];

    this.#rules = rules.map((rule, index) => {
      const prefix = `routes[${index}]`;
      const pattern = new PathPattern(rule.path, `${prefix}.path`, true);
      const foldedPattern = new PathPattern(rule.path, `${prefix}.path`, false);
      const methods = compileMethods(rule.methods, `${prefix}.methods`);
      const roles = compileRoles(rule.roles, `${prefix}.roles`);
      const policy = routePolicy(roles, rule.introspect === true);
      return { pattern, foldedPattern, methods, policy };
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
    const hits: RoutePolicy[] = [];
    for (const segments of pathReadings(path)) {
      for (const folded of this.#folds) {
        const policy = this.#first(verb, segments, folded);
        if (policy !== undefined && !hits.includes(policy)) hits.push(policy);
      }
    }
    if (hits.length <= 1) return hits[0];
    return mergePolicies(...hits);
  }

  #first(verb: string, segments: readonly string[], folded: boolean): RoutePolicy | undefined {
    const compared = folded ? segments.map(lowerAscii) : segments;

    for (const rule of this.#rules) {
      if (rule.methods !== undefined && !rule.methods.has(verb)) continue;
      if ((folded ? rule.foldedPattern : rule.pattern).matches(compared)) return rule.policy;
    }
    return undefined;
  }
}
