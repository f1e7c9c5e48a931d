/**
 * Readers of single configuration values. Each reader takes a value from either source (an
 * environment variable's text or a YAML node) and either returns it checked and normalised or
 * throws `ERR_CONFIG_INVALID` with a one-line message naming the key. Both sources go through
 * the same checks, so `AUTHFORT_ALGORITHMS` and `algorithms:` accept exactly the same values.
 */
import { AuthFortError } from '../errors.js';
import { SUPPORTED_ALGORITHMS } from '../options.js';

/** An `ERR_CONFIG_INVALID` error for `key`; `message` must be one line and hold no secret. */
export function configError(key: string, message: string): AuthFortError {
  return new AuthFortError('ERR_CONFIG_INVALID', message, { key });
}

/**
 * `got ...` for an error message: a short quoted string, a number, or the YAML type. JSON
 * quoting escapes newlines, so the message stays one line.
 */
export function got(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `got ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `got ${String(value)}`;
  if (Array.isArray(value)) return 'got a list';
  if (value === null || value === undefined) return 'got nothing';
  return 'got a mapping';
}

/** Reads one setting from an environment variable or from a YAML value. */
export interface Reader<T> {
  /** From the trimmed, non-empty text of an environment variable named `key`. */
  readonly fromEnv: (text: string, key: string) => T;
  /** From a YAML value (never `null` or `undefined`) at `key`. */
  readonly fromFile: (value: unknown, key: string) => T;
}

/**
 * A whole number from `min` to `max`. From the environment only plain decimal digits are
 * accepted (`30`, not `30s`, `3e1` or `0x1e`), so a unit typo is an error, not a surprise.
 */
export function integer(min: number, max: number, unit = ''): Reader<number> {
  const range = unit === '' ? `from ${min} to ${max}` : `of ${unit} from ${min} to ${max}`;

  const check = (value: number, raw: unknown, key: string): number => {
    if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
    throw configError(key, `${key} must be a whole number ${range}, ${got(raw)}`);
  };

  return {
    fromEnv: (text, key) => check(/^\d{1,16}$/.test(text) ? Number(text) : NaN, text, key),
    fromFile: (value, key) => check(typeof value === 'number' ? value : NaN, value, key),
  };
}

/**
 * A string, checked by `check`. When `secret` is true no error message quotes the value.
 *
 * @param what - what the value must be, for the error on a YAML value of the wrong type
 */
export function text<T = string>(
  what: string,
  check: (value: string, key: string) => T,
  secret = false,
): Reader<T> {
  return {
    fromEnv: (value, key) => check(value, key),
    fromFile: (value, key) => {
      if (typeof value === 'string' && value.trim() !== '') return check(value.trim(), key);
      const shown = secret ? '' : `, ${got(value)}`;
      throw configError(key, `${key} must be ${what}${shown}`);
    },
  };
}

/** One of a fixed set of words, compared exactly. */
export function choice<T extends string>(choices: readonly T[]): Reader<T> {
  const check = (value: string, key: string): T => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw configError(key, `${key} must be one of ${choices.join(', ')}, ${got(value)}`);
  };
  return text(`one of ${choices.join(', ')}`, check);
}

/**
 * A list: comma-separated in the environment; a YAML list of strings or one comma-separated
 * string in the file. Whitespace around items and empty items are ignored; duplicates are kept
 * once; each item goes through `check`.
 *
 * @param what - the items, plural (`algorithm names`), for error messages
 * @param min - the fewest items allowed: 0 lets `[]` mean "none", 1 makes an empty list an error
 */
export function list(
  what: string,
  check: (item: string, key: string) => string,
  min = 0,
): Reader<readonly string[]> {
  const finish = (items: readonly string[], key: string): readonly string[] => {
    const checked = new Set(items.filter((item) => item !== '').map((item) => check(item, key)));
    if (checked.size >= min) return [...checked];
    throw configError(key, `${key} must not be empty: list ${what}, comma-separated`);
  };
  const split = (value: string): string[] => value.split(',').map((item) => item.trim());

  return {
    fromEnv: (value, key) => finish(split(value), key),
    fromFile: (value, key) => {
      if (typeof value === 'string') return finish(split(value), key);
      if (!Array.isArray(value)) {
        throw configError(key, `${key} must be a list of ${what}, ${got(value)}`);
      }
      const items = value.map((item: unknown, index) => {
        if (typeof item === 'string') return item.trim();
        throw configError(`${key}[${index}]`, `${key}[${index}] must be a string, ${got(item)}`);
      });
      return finish(items, key);
    },
  };
}

// eslint-disable-next-line no-control-regex -- control characters are what this rejects
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Any text without control characters. */
export function plainText(value: string, key: string): string {
  if (!CONTROL.test(value)) return value;
  throw configError(key, `${key} must not contain control characters`);
}

/**
 * An absolute http or https URL without credentials. The value is never quoted in an error: a
 * URL may carry a password or an API key.
 */
export function httpUrl(value: string, key: string): string {
  if (!URL.canParse(value)) throw configError(key, `${key} must be an absolute http or https URL`);

  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw configError(key, `${key} must be an http or https URL, got scheme "${url.protocol}"`);
  }
  // fetch() refuses URLs with credentials; failing at start-up beats failing every request.
  if (url.username !== '' || url.password !== '') {
    throw configError(key, `${key} must not carry credentials (user:password@)`);
  }
  return url.href;
}

/** A JOSE `alg` from {@link SUPPORTED_ALGORITHMS}; `none` and HMAC get their own message. */
export function algorithm(value: string, key: string): string {
  if (value.toLowerCase() === 'none') {
    throw configError(key, `${key} must not include "none": unsigned tokens are never accepted`);
  }
  if (/^HS\d+$/i.test(value)) {
    throw configError(
      key,
      `${key} must not include ${JSON.stringify(value)}: HMAC needs a shared secret, ` +
        'and a key set is public',
    );
  }
  if (SUPPORTED_ALGORITHMS.includes(value)) return value;
  throw configError(key, `${key} must list only ${SUPPORTED_ALGORITHMS.join(', ')}, ${got(value)}`);
}

/** A claim dot path (`sub`, `realm_access.roles`): no empty segment, no control character. */
export function claimPath(value: string, key: string): string {
  if (value.split('.').some((segment) => segment.trim() === '') || CONTROL.test(value)) {
    throw configError(key, `${key} must be a claim name or dot path such as a.b, ${got(value)}`);
  }
  return value;
}

/**
 * A `WWW-Authenticate` realm: printable ASCII without `"` and `\`, so it goes into the
 * RFC 9110 quoted-string `realm="..."` unescaped, and at most 128 characters.
 */
export function realm(value: string, key: string): string {
  if (/^[\x20\x21\x23-\x5b\x5d-\x7e]{1,128}$/.test(value)) return value;
  throw configError(
    key,
    `${key} must be up to 128 printable ASCII characters without " or \\, ${got(value)}`,
  );
}

/** A file path: any text without control characters. Its file is checked later. */
export function filePath(value: string, key: string): string {
  if (!CONTROL.test(value)) return value;
  throw configError(key, `${key} must be a file path without control characters`);
}
