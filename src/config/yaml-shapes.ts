/**
 * Shape checks for YAML nodes: mappings with known keys only. An unknown key is an error, not
 * ignored, because in a configuration file it is almost always a typo (`jwksURL`, `roles_claim`)
 * that would otherwise silently leave a default in force.
 */
import { configError, got } from './values.js';

/** Letters and digits only, lower-case: `jwks_url`, `JWKS-URL` and `jwksUrl` compare equal. */
function squash(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** `known` names closest to `name`, for a "did you mean" hint. */
export function suggestion(name: string, known: Iterable<string>): string {
  const wanted = squash(name);
  for (const candidate of known) {
    if (squash(candidate) === wanted) return ` (did you mean ${candidate}?)`;
  }
  return '';
}

/** `parent.name`, or `name` at the top level. */
export function childKey(parent: string, name: string): string {
  return parent === '' ? name : `${parent}.${name}`;
}

/** `value` as a mapping. With `allowed`, a key outside it is an error naming that key. */
export function mapping(
  value: unknown,
  key: string,
  allowed?: readonly string[],
): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw configError(key, `${key} must be a mapping, ${got(value)}`);
  }

  const record = value as Record<string, unknown>;
  if (allowed === undefined) return record;

  for (const name of Object.keys(record)) {
    if (allowed.includes(name)) continue;
    const unknown = childKey(key, name);
    throw configError(unknown, `${unknown} is not a known setting${suggestion(name, allowed)}`);
  }
  return record;
}

/** A YAML boolean (`true` / `false`; never the string `"true"`). */
export function yamlBoolean(value: unknown, key: string): boolean {
  if (typeof value === 'boolean') return value;
  throw configError(key, `${key} must be true or false, ${got(value)}`);
}
