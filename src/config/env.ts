/**
 * Settings from environment variables.
 */
import {
  CONFIG_FILE_ENV,
  SETTING_NAMES,
  SETTINGS,
  type Settings,
  type SettingsLayer,
} from './settings.js';

/** Environment variables, as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

function readOne<K extends keyof Settings>(layer: SettingsLayer, name: K, env: Env): void {
  const spec = SETTINGS[name];
  const text = env[spec.env]?.trim();
  // An empty variable counts as unset: Compose files and Helm charts often render `FOO=` for
  // "not configured", and reading it as an empty list or name would only produce odd errors.
  if (text === undefined || text === '') return;

  layer[name] = { value: spec.read.fromEnv(text, spec.env), key: spec.env } as SettingsLayer[K];
}

/**
 * Reads every `AUTHFORT_*` setting that is set (and not empty) in `env`.
 *
 * @throws AuthFortError `ERR_CONFIG_INVALID` with `key` the variable's name
 */
export function readEnv(env: Env): SettingsLayer {
  const layer: SettingsLayer = {};
  for (const name of SETTING_NAMES) readOne(layer, name, env);
  return layer;
}

/** Every environment variable the service reads. */
export function knownEnvNames(): ReadonlySet<string> {
  return new Set([CONFIG_FILE_ENV, ...SETTING_NAMES.map((name) => SETTINGS[name].env)]);
}
