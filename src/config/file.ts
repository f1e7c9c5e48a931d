/**
 * Settings from the YAML configuration file (`AUTHFORT_CONFIG` or `--config`).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { parseDocument } from 'yaml';

import type { RouteRule } from '../policy/route-table.js';
import { readIdentityHeaders, readTokenSources } from './identity.js';
import { readRoutes } from './routes.js';
import type { IdentityHeader } from '../decision/identity.js';
import type { TokenSource } from '../decision/token-source.js';
import { SETTING_NAMES, SETTINGS, type Settings, type SettingsLayer } from './settings.js';
import { configError } from './values.js';
import { childKey, mapping, suggestion, yamlBoolean } from './yaml-shapes.js';

/** What the configuration file holds. */
export interface FileSettings {
  /** The file, as an absolute path. */
  readonly path: string;
  /** Its scalar settings. */
  readonly settings: SettingsLayer;
  /** `headers:`, when present. */
  readonly identityHeaders?: readonly IdentityHeader[];
  /** `tokenSources:`, when present. */
  readonly tokenSources?: readonly TokenSource[];
  /** `routes:`, when present. */
  readonly routes?: readonly RouteRule[];
  /** `routeMatching.caseSensitive`, when present. */
  readonly caseSensitive?: boolean;
}

/** Keys the file may hold that the environment cannot express. */
const FILE_ONLY = ['headers', 'tokenSources', 'routes', 'routeMatching'];

/** Allowed keys per mapping (`''` is the top level), derived from the settings table. */
function allowedKeys(): ReadonlyMap<string, readonly string[]> {
  const allowed = new Map<string, string[]>([
    ['', [...FILE_ONLY]],
    ['routeMatching', ['caseSensitive']],
  ]);
  const add = (parent: string, name: string): void => {
    const names = allowed.get(parent) ?? [];
    if (!names.includes(name)) names.push(name);
    allowed.set(parent, names);
  };

  for (const name of SETTING_NAMES) {
    const path = SETTINGS[name].file;
    if (path === undefined) continue;
    const [first, second] = path.split('.') as [string, string | undefined];
    add('', first);
    if (second !== undefined) add(first, second);
  }
  return allowed;
}

const ALLOWED = allowedKeys();

/** Checks every mapping against {@link ALLOWED}: an unknown key is an error naming it. */
function checkKeys(root: Record<string, unknown>): void {
  for (const [parent, known] of ALLOWED) {
    if (parent !== '') {
      const node = root[parent];
      if (node !== undefined && node !== null) mapping(node, parent, known);
      continue;
    }

    for (const name of Object.keys(root)) {
      if (known.includes(name)) continue;
      throw configError(name, `${name} is not a known setting${suggestion(name, known)}`);
    }
  }
}

function readSetting<K extends keyof Settings>(
  layer: SettingsLayer,
  name: K,
  root: Record<string, unknown>,
): void {
  const spec = SETTINGS[name];
  if (spec.file === undefined) return;

  const [first, second] = spec.file.split('.') as [string, string | undefined];
  const parent = second === undefined ? root : (root[first] as Record<string, unknown> | null);
  const value = second === undefined ? root[first] : parent?.[second];
  // `key:` with nothing after it is YAML null: treated as not set, as an empty variable is.
  if (value === undefined || value === null) return;

  layer[name] = { value: spec.read.fromFile(value, spec.file), key: spec.file } as SettingsLayer[K];
}

function parseYaml(text: string, path: string, key: string): Record<string, unknown> {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const [error] = document.errors;
  if (error !== undefined) {
    const line = error.linePos?.[0];
    const where = line === undefined ? '' : ` at line ${line.line}, column ${line.col}`;
    const reason = error.message.split('\n')[0] ?? 'syntax error';
    throw configError(key, `${key} file ${path} is not valid YAML${where}: ${reason}`);
  }

  // Aliases are capped so a "billion laughs" file cannot exhaust memory at start-up.
  const root: unknown = document.toJS({ maxAliasCount: 100 }) ?? {};
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw configError(key, `${key} file ${path} must hold a mapping of settings`);
  }
  return root as Record<string, unknown>;
}

/**
 * Reads and checks the YAML configuration file. Keys are the library's camelCase option names
 * plus `introspection: {url, secret, style, timeoutMs}`, `tls: {cert, key, clientCa}`,
 * `headers`, `tokenSources`, `routes` and `routeMatching: {caseSensitive}`. Relative TLS paths
 * are resolved against the file's directory, as Prometheus does, so the file and its
 * certificates can move together. Every value in the file is checked, also those the
 * environment overrides: a broken file is reported before it matters, not when the override
 * is removed.
 *
 * @param path - the file (relative to the working directory or absolute)
 * @param key - how the operator named the file (`AUTHFORT_CONFIG` or `--config`), for errors
 * @throws AuthFortError `ERR_CONFIG_INVALID` naming the file's key, or the YAML key at fault
 */
export function readConfigFile(path: string, key: string): FileSettings {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw configError(key, `${key} names ${absolute}, which cannot be read (${code})`);
  }

  const root = parseYaml(text, absolute, key);
  checkKeys(root);

  const settings: SettingsLayer = {};
  for (const name of SETTING_NAMES) readSetting(settings, name, root);

  for (const name of ['tlsCert', 'tlsKey', 'tlsClientCa'] as const) {
    const setting = settings[name];
    if (setting === undefined) continue;
    settings[name] = { ...setting, value: resolve(dirname(absolute), setting.value) };
  }

  const matching = root.routeMatching as Record<string, unknown> | undefined | null;
  const caseSensitive =
    matching?.caseSensitive === undefined || matching.caseSensitive === null
      ? undefined
      : yamlBoolean(matching.caseSensitive, childKey('routeMatching', 'caseSensitive'));

  const present = (name: string): boolean => root[name] !== undefined && root[name] !== null;
  return {
    path: absolute,
    settings,
    ...(present('headers') && { identityHeaders: readIdentityHeaders(root.headers, 'headers') }),
    ...(present('tokenSources') && {
      tokenSources: readTokenSources(root.tokenSources, 'tokenSources'),
    }),
    ...(present('routes') && { routes: readRoutes(root.routes, 'routes', caseSensitive) }),
    ...(caseSensitive !== undefined && { caseSensitive }),
  };
}
