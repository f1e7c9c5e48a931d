/**
 * Parsing of the strings a proxy operator writes into route policy: role lists and flags. Shared
 * by the `context_extensions` and query-string readers so both accept exactly the same syntax.
 */
import { AuthFortError } from '../errors.js';

/** An `ERR_CONFIG_INVALID` error naming `key`; the message is one line. */
export function policyError(key: string, message: string): AuthFortError {
  return new AuthFortError('ERR_CONFIG_INVALID', message, { key });
}

/** `value` quoted for an error message, cut short so a long value cannot flood a log line. */
export function quoteValue(value: string): string {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  // JSON quoting escapes newlines and control characters, so the message stays one line.
  return JSON.stringify(shown);
}

// eslint-disable-next-line no-control-regex -- control characters are what this rejects
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * One any-of role set from comma lists: `["admin,owner", "auditor"]` gives
 * `["admin", "owner", "auditor"]`. Whitespace around roles and empty items (`admin,,owner`,
 * a trailing comma) are ignored and duplicates are kept once.
 *
 * A list that names no role at all is an error rather than "no role required": an operator who
 * wrote `required_roles: ""` meant something, and reading it as "any user" would fail open.
 *
 * @param values - the raw values (one per repeated parameter)
 * @param key - the setting named in an error (`context_extensions.required_roles`)
 * @param echo - whether an error may quote the value (false when a client might have sent it)
 */
export function parseRoleList(values: readonly string[], key: string, echo: boolean): string[] {
  const roles = new Set<string>();

  for (const value of values) {
    if (CONTROL.test(value)) {
      const got = echo ? `, got ${quoteValue(value)}` : '';
      throw policyError(key, `${key} must not contain control characters${got}`);
    }
    for (const item of value.split(',')) {
      const role = item.trim();
      if (role !== '') roles.add(role);
    }
  }

  if (roles.size === 0) {
    const got = echo ? `, got ${quoteValue(values.join(','))}` : '';
    throw policyError(key, `${key} must name at least one role (comma-separated)${got}`);
  }
  return [...roles];
}

/**
 * A flag that must read exactly `true` or `false`. Anything else (`yes`, `1`, `TRUE`, empty) is
 * an operator error, reported rather than guessed, so the request is denied instead of allowed.
 */
export function parseFlag(value: string, key: string, echo: boolean): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;

  const got = echo ? `, got ${quoteValue(value)}` : '';
  throw policyError(key, `${key} must be "true" or "false"${got}`);
}
