/**
 * Route rules from the YAML file's `routes:` list.
 */
import { RouteTable, type RouteRule } from '../policy/route-table.js';
import { configError, got, list, plainText } from './values.js';
import { mapping, yamlBoolean } from './yaml-shapes.js';

const methods = list('HTTP methods', (item) => item, 1);
const roles = list('role names', plainText);

function readRule(value: unknown, key: string): RouteRule {
  const entry = mapping(value, key, ['path', 'methods', 'roles', 'introspect']);

  if (typeof entry.path !== 'string') {
    throw configError(`${key}.path`, `${key}.path must be a path pattern, ${got(entry.path)}`);
  }
  const rule: { -readonly [K in keyof RouteRule]: RouteRule[K] } = { path: entry.path.trim() };

  // Each field is optional; `methods: [GET]` may also be written `methods: GET, POST`.
  if (entry.methods !== undefined && entry.methods !== null) {
    rule.methods = methods.fromFile(entry.methods, `${key}.methods`).map((m) => m.toUpperCase());
  }
  if (entry.roles !== undefined && entry.roles !== null) {
    rule.roles = roles.fromFile(entry.roles, `${key}.roles`);
  }
  if (entry.introspect !== undefined && entry.introspect !== null) {
    rule.introspect = yamlBoolean(entry.introspect, `${key}.introspect`);
  }
  return rule;
}

/**
 * The `routes:` list. Each rule is checked the way the route table will compile it (pattern,
 * methods, roles), so a rule that could never match stops start-up instead of being skipped.
 *
 * @param caseSensitive - the `routeMatching.caseSensitive` the table will be built with
 */
export function readRoutes(
  value: unknown,
  key: string,
  caseSensitive: boolean | undefined,
): RouteRule[] {
  if (!Array.isArray(value)) {
    throw configError(key, `${key} must be a list of route rules, ${got(value)}`);
  }

  const rules = value.map((item: unknown, index) => readRule(item, `${key}[${index}]`));
  // Compiling throws ERR_CONFIG_INVALID keyed `routes[i].path` and so on.
  new RouteTable(rules, { caseSensitive });
  return rules;
}
