/**
 * The configuration as the start-up log line shows it: JSON-safe, secrets replaced.
 */
import type { ServiceConfig } from './service-config.js';

/** A JSON value. */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** What a secret reads as in {@link redactConfig}'s output. */
export const REDACTED = '[redacted]';

/**
 * Fields whose value is a secret wherever they appear. Matching by field name rather than by
 * path keeps a secret added to the configuration later redacted as long as it is named so.
 */
const SECRET_FIELDS = new Set(['secret', 'clientSecret', 'password', 'token', 'privateKey']);

const URL_LIKE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** A URL without its userinfo; anything else unchanged. */
function withoutCredentials(text: string): string {
  if (!URL_LIKE.test(text) || !URL.canParse(text)) return text;

  const url = new URL(text);
  if (url.username === '' && url.password === '') return text;
  url.username = '';
  url.password = '';
  return url.href;
}

function redact(value: unknown, field: string | undefined): JsonValue | undefined {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    return undefined;
  }
  if (field !== undefined && SECRET_FIELDS.has(field)) return REDACTED;

  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return withoutCredentials(value);
  if (typeof value === 'bigint') return value.toString();

  if (Array.isArray(value)) return value.map((item: unknown) => redact(item, undefined) ?? null);

  const out: Record<string, JsonValue> = {};
  for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
    const redacted = redact(child, name);
    if (redacted !== undefined) out[name] = redacted;
  }
  return out;
}

/**
 * A JSON-safe copy of `config` for the start-up log line: the introspection secret (and any
 * other field named `secret`, `clientSecret`, `password`, `token` or `privateKey`) reads
 * `"[redacted]"`, and user names and passwords are stripped from URLs. TLS file paths are kept;
 * the files' contents were never in the configuration.
 */
export function redactConfig(config: ServiceConfig): { readonly [key: string]: JsonValue } {
  return redact(config, undefined) as { readonly [key: string]: JsonValue };
}
