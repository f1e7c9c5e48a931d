/**
 * Loading the server configuration: environment variables over the YAML file over defaults.
 */
import { DEFAULT_IDENTITY_HEADERS } from '../decision/identity.js';
import { DEFAULT_TOKEN_SOURCES } from '../decision/token-source.js';
import { readEnv, type Env } from './env.js';
import { readConfigFile, type FileSettings } from './file.js';
import { checkHeadersApart, envTokenSources } from './identity.js';
import { mergeSettings, resolveIntrospection, resolveVerifier } from './resolve.js';
import type { ServiceConfig } from './service-config.js';
import {
  CONFIG_FILE_ENV,
  keyLike,
  SERVICE_DEFAULTS as DEFAULT,
  type SettingsLayer,
} from './settings.js';
import { configError } from './values.js';
import { resolveTls } from './tls.js';

/** Where {@link loadConfig} reads from. */
export interface LoadConfigOptions {
  /** Environment variables. Default `process.env`. */
  readonly env?: Env;
  /**
   * The YAML file, as the CLI's `--config` gives it; it wins over `AUTHFORT_CONFIG` (a flag is
   * the more specific request). Default: `AUTHFORT_CONFIG`, else no file.
   */
  readonly configPath?: string;
}

function readFile(options: LoadConfigOptions, env: Env): FileSettings | undefined {
  if (options.configPath !== undefined && options.configPath.trim() !== '') {
    return readConfigFile(options.configPath, '--config');
  }
  const fromEnv = env[CONFIG_FILE_ENV]?.trim();
  return fromEnv === undefined || fromEnv === ''
    ? undefined
    : readConfigFile(fromEnv, CONFIG_FILE_ENV);
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}

/**
 * The drain period: as set, which may not exceed the grace period it is part of; by default the
 * shorter of the default and the grace period.
 */
function drainSeconds(settings: SettingsLayer, graceSeconds: number): number {
  const drain = settings.drainSeconds;
  if (drain === undefined) return Math.min(DEFAULT.drainSeconds, graceSeconds);
  if (drain.value > graceSeconds) {
    const key = keyLike('drainSeconds', drain);
    const grace = keyLike('shutdownGraceSeconds', drain);
    throw configError(key, `${key} must not exceed ${grace} (${graceSeconds}), got ${drain.value}`);
  }
  return drain.value;
}

/**
 * Reads, checks and resolves the server configuration, synchronously (it runs once, before
 * anything listens).
 *
 * Sources, strongest first: environment variables (`AUTHFORT_*`, see DESIGN.md), the YAML file
 * (`configPath`, else `AUTHFORT_CONFIG`), then the defaults. An environment variable that is
 * empty counts as unset. The file alone expresses route rules, the identity header mapping and
 * the list of token sources; `AUTHFORT_TOKEN_HEADER` / `AUTHFORT_TOKEN_COOKIE` replace the
 * file's token sources when set.
 *
 * Every value is checked here, files named by TLS settings are read, and route patterns are
 * compiled, so a configuration that loads is one the server can start with. Warnings (valid
 * but probably unintended settings) come from `configWarnings`.
 *
 * @returns a deeply frozen {@link ServiceConfig}
 * @throws AuthFortError `ERR_CONFIG_INVALID` whose `key` names the setting at fault
 *   (`AUTHFORT_CLOCK_SKEW_SECONDS`, `routes[2].path`) and whose message is one line saying what
 *   is wrong; it never holds a secret
 */
export function loadConfig(options: LoadConfigOptions = {}): ServiceConfig {
  const env = options.env ?? process.env;
  const fromEnv = readEnv(env);
  const file = readFile(options, env);
  const settings = mergeSettings(file?.settings ?? {}, fromEnv);

  const verifier = resolveVerifier(settings);
  const introspection = resolveIntrospection(settings);
  const tls = resolveTls(settings);

  const tokenSources =
    envTokenSources(settings.tokenHeader, settings.tokenCookie) ??
    file?.tokenSources ??
    DEFAULT_TOKEN_SOURCES;
  const identityHeaders = file?.identityHeaders ?? DEFAULT_IDENTITY_HEADERS;
  const clashKey = file?.identityHeaders
    ? 'headers'
    : (settings.tokenHeader?.key ?? 'tokenSources');
  checkHeadersApart(identityHeaders, tokenSources, clashKey);

  const grpc = settings.grpcAddr?.value ?? DEFAULT.grpcAddr;
  const shutdownGraceSeconds = settings.shutdownGraceSeconds?.value ?? DEFAULT.shutdownGraceSeconds;
  return deepFreeze({
    ...(file !== undefined && { configFile: file.path }),
    verifier: { ...verifier },
    ...(introspection !== undefined && { introspection }),
    grpc: { ...grpc, ...(tls !== undefined && { tls }) },
    http: settings.httpAddr?.value ?? { ...DEFAULT.httpAddr },
    metrics: settings.metricsAddr?.value ?? { ...DEFAULT.metricsAddr },
    workers: settings.workers?.value ?? DEFAULT.workers,
    logLevel: settings.logLevel?.value ?? DEFAULT.logLevel,
    realm: settings.realm?.value ?? DEFAULT.realm,
    identityHeaders,
    tokenSources,
    routes: file?.routes ?? [],
    routeMatching: file?.caseSensitive === undefined ? {} : { caseSensitive: file.caseSensitive },
    shutdownGraceSeconds,
    drainSeconds: drainSeconds(settings, shutdownGraceSeconds),
  });
}
