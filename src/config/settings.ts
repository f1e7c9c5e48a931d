/**
 * The table of scalar settings: for each, its environment variable, its place in the YAML file
 * and how its value is read. The environment reader, the file reader, the unknown-key check and
 * the start-up warnings all work from this one table, so a setting cannot be readable from one
 * source and forgotten in the other.
 */
import { listenAddress } from './address.js';
import { cookieName, tokenHeaderName } from './header-names.js';
import type { IntrospectionStyle, ListenAddress, LogLevel } from './service-config.js';
import {
  algorithm,
  choice,
  claimPath,
  filePath,
  httpUrl,
  integer,
  list,
  plainText,
  realm,
  text,
  type Reader,
} from './values.js';

/** The value type of every scalar setting, by its internal name. */
export interface Settings {
  jwksUrl: string;
  discoveryUrl: string;
  issuer: string;
  audience: readonly string[];
  algorithms: readonly string[];
  clockSkewSeconds: number;
  requiredClaims: readonly string[];
  rolesClaim: string;
  jwksMaxAgeSeconds: number;
  jwksCooldownSeconds: number;
  jwksTimeoutMs: number;
  jwksMaxBytes: number;
  maxTokenBytes: number;
  tokenCacheSize: number;
  introspectUrl: string;
  introspectSecret: string;
  introspectStyle: IntrospectionStyle;
  introspectTimeoutMs: number;
  grpcAddr: ListenAddress;
  httpAddr: ListenAddress;
  metricsAddr: ListenAddress;
  workers: number;
  logLevel: LogLevel;
  tlsCert: string;
  tlsKey: string;
  tlsClientCa: string;
  realm: string;
  tokenHeader: string;
  tokenCookie: string;
  shutdownGraceSeconds: number;
  drainSeconds: number;
}

/** Where one setting comes from and how it is read. */
export interface SettingSpec<T> {
  /** The environment variable. */
  readonly env: string;
  /** Dot path in the YAML file; absent for environment-only settings. */
  readonly file?: string;
  /** How the value is read and checked. */
  readonly read: Reader<T>;
}

/** A value read from one source, with the key it was read from (for error messages). */
export interface Setting<T> {
  readonly value: T;
  /** `AUTHFORT_...` or the YAML path, as the operator wrote it. */
  readonly key: string;
}

/** The settings one source provided. */
export type SettingsLayer = { -readonly [K in keyof Settings]?: Setting<Settings[K]> };

/** The environment variable naming the YAML file. */
export const CONFIG_FILE_ENV = 'AUTHFORT_CONFIG';

/**
 * Defaults of the server's own settings (DESIGN.md). The verifier's defaults are the library's
 * `DEFAULTS` in src/options.ts and are not repeated here.
 */
export const SERVICE_DEFAULTS = {
  /** `AUTHFORT_GRPC_ADDR`. */
  grpcAddr: { host: '0.0.0.0', port: 9001 },
  /** `AUTHFORT_HTTP_ADDR`. */
  httpAddr: { host: '0.0.0.0', port: 8080 },
  /** `AUTHFORT_METRICS_ADDR`. */
  metricsAddr: { host: '0.0.0.0', port: 9464 },
  /** `AUTHFORT_WORKERS`, processes. */
  workers: 1,
  /** `AUTHFORT_LOG_LEVEL`. */
  logLevel: 'info',
  /** `AUTHFORT_REALM`. */
  realm: 'authfort',
  /** `AUTHFORT_SHUTDOWN_GRACE_SECONDS`, seconds. */
  shutdownGraceSeconds: 10,
  /**
   * `AUTHFORT_DRAIN_SECONDS`, seconds: long enough for a proxy checking health every 2 s with an
   * unhealthy threshold of 2 (the shipped Envoy configs) to steer away before the ports close.
   */
  drainSeconds: 5,
  /** `AUTHFORT_INTROSPECT_STYLE`. */
  introspectStyle: 'authfort',
  /**
   * `AUTHFORT_INTROSPECT_TIMEOUT_MS`, milliseconds. Envoy's own ext_authz `timeout` defaults
   * to 200 ms: raise it on routes that introspect, or Envoy gives up first.
   */
  introspectTimeoutMs: 1000,
} as const satisfies Partial<Record<keyof Settings, unknown>>;

const url = text('an http or https URL', httpUrl, true);
const plain = text('a non-empty string', plainText);
const path = text('a file path', filePath);
const seconds = (min: number, max: number): Reader<number> => integer(min, max, 'seconds');

/** Every scalar setting. Defaults live in `DEFAULTS` (src/options.ts) and in `resolve.ts`. */
export const SETTINGS: { readonly [K in keyof Settings]: SettingSpec<Settings[K]> } = {
  jwksUrl: { env: 'AUTHFORT_JWKS_URL', file: 'jwksUrl', read: url },
  discoveryUrl: { env: 'AUTHFORT_DISCOVERY_URL', file: 'discoveryUrl', read: url },
  issuer: { env: 'AUTHFORT_ISSUER', file: 'issuer', read: plain },
  audience: {
    env: 'AUTHFORT_AUDIENCE',
    file: 'audience',
    read: list('audience values', plainText),
  },
  algorithms: {
    env: 'AUTHFORT_ALGORITHMS',
    file: 'algorithms',
    read: list('algorithm names', algorithm, 1),
  },
  clockSkewSeconds: {
    env: 'AUTHFORT_CLOCK_SKEW_SECONDS',
    file: 'clockSkewSeconds',
    read: seconds(0, 3600),
  },
  requiredClaims: {
    env: 'AUTHFORT_REQUIRED_CLAIMS',
    file: 'requiredClaims',
    read: list('claim names', claimPath),
  },
  rolesClaim: {
    env: 'AUTHFORT_ROLES_CLAIM',
    file: 'rolesClaim',
    read: text('a claim name or dot path', claimPath),
  },
  jwksMaxAgeSeconds: {
    env: 'AUTHFORT_JWKS_MAX_AGE_SECONDS',
    file: 'jwksMaxAgeSeconds',
    read: seconds(1, 86_400),
  },
  jwksCooldownSeconds: {
    env: 'AUTHFORT_JWKS_COOLDOWN_SECONDS',
    file: 'jwksCooldownSeconds',
    read: seconds(0, 3600),
  },
  jwksTimeoutMs: {
    env: 'AUTHFORT_JWKS_TIMEOUT_MS',
    file: 'jwksTimeoutMs',
    read: integer(1, 60_000, 'milliseconds'),
  },
  jwksMaxBytes: {
    env: 'AUTHFORT_JWKS_MAX_BYTES',
    file: 'jwksMaxBytes',
    read: integer(1024, 16 * 1024 * 1024, 'bytes'),
  },
  maxTokenBytes: {
    env: 'AUTHFORT_MAX_TOKEN_BYTES',
    file: 'maxTokenBytes',
    read: integer(256, 1024 * 1024, 'bytes'),
  },
  tokenCacheSize: {
    env: 'AUTHFORT_TOKEN_CACHE_SIZE',
    file: 'tokenCacheSize',
    read: integer(0, 10_000_000, 'tokens'),
  },
  introspectUrl: { env: 'AUTHFORT_INTROSPECT_URL', file: 'introspection.url', read: url },
  introspectSecret: {
    env: 'AUTHFORT_INTROSPECT_SECRET',
    file: 'introspection.secret',
    read: text('a non-empty string', (value) => value, true),
  },
  introspectStyle: {
    env: 'AUTHFORT_INTROSPECT_STYLE',
    file: 'introspection.style',
    read: choice<IntrospectionStyle>(['authfort', 'rfc7662']),
  },
  introspectTimeoutMs: {
    env: 'AUTHFORT_INTROSPECT_TIMEOUT_MS',
    file: 'introspection.timeoutMs',
    read: integer(1, 60_000, 'milliseconds'),
  },
  grpcAddr: { env: 'AUTHFORT_GRPC_ADDR', file: 'grpcAddr', read: listenAddress },
  httpAddr: { env: 'AUTHFORT_HTTP_ADDR', file: 'httpAddr', read: listenAddress },
  metricsAddr: { env: 'AUTHFORT_METRICS_ADDR', file: 'metricsAddr', read: listenAddress },
  workers: { env: 'AUTHFORT_WORKERS', file: 'workers', read: integer(1, 64) },
  logLevel: {
    env: 'AUTHFORT_LOG_LEVEL',
    file: 'logLevel',
    read: choice<LogLevel>(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  },
  tlsCert: { env: 'AUTHFORT_TLS_CERT', file: 'tls.cert', read: path },
  tlsKey: { env: 'AUTHFORT_TLS_KEY', file: 'tls.key', read: path },
  tlsClientCa: { env: 'AUTHFORT_TLS_CLIENT_CA', file: 'tls.clientCa', read: path },
  realm: { env: 'AUTHFORT_REALM', file: 'realm', read: text('a realm', realm) },
  // The file lists token sources under `tokenSources`; these two are the environment's way.
  tokenHeader: { env: 'AUTHFORT_TOKEN_HEADER', read: text('a header name', tokenHeaderName) },
  tokenCookie: { env: 'AUTHFORT_TOKEN_COOKIE', read: text('a cookie name', cookieName) },
  shutdownGraceSeconds: {
    env: 'AUTHFORT_SHUTDOWN_GRACE_SECONDS',
    file: 'shutdownGraceSeconds',
    read: seconds(0, 600),
  },
  drainSeconds: {
    env: 'AUTHFORT_DRAIN_SECONDS',
    file: 'drainSeconds',
    read: seconds(0, 600),
  },
};

/** The internal names of every scalar setting. */
export const SETTING_NAMES = Object.keys(SETTINGS) as (keyof Settings)[];

/**
 * How the operator would name setting `name` in the source `like` came from: the environment
 * variable when `like` came from the environment, else the YAML path. Cross-setting errors
 * ("X is required when Y is set") then speak the language the operator is using.
 */
export function keyLike(name: keyof Settings, like: Setting<unknown>): string {
  const spec: SettingSpec<unknown> = SETTINGS[name];
  if (like.key.startsWith('AUTHFORT_') || spec.file === undefined) return spec.env;
  return spec.file;
}
