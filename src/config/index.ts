/**
 * Server configuration: environment variables and the YAML file, checked and resolved.
 */
export { formatListenAddress, parseListenAddress } from './address.js';
export type { Env } from './env.js';
export { loadConfig, type LoadConfigOptions } from './load.js';
export { REDACTED, redactConfig, type JsonValue } from './redact.js';
export { SERVICE_DEFAULTS } from './settings.js';
export type {
  GrpcListenerConfig,
  IdentityHeader,
  IntrospectionConfig,
  IntrospectionStyle,
  ListenAddress,
  LogLevel,
  ServiceConfig,
  TlsConfig,
  TokenSource,
  VerifierConfig,
} from './service-config.js';
export { configWarnings, type ConfigWarning } from './warnings.js';
