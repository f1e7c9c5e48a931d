/**
 * Settings that depend on each other: the key set's location, the verifier with its defaults,
 * and introspection.
 */
import { DEFAULTS } from '../options.js';
import { parseCredentials } from '../introspection/wire.js';
import type { IntrospectionConfig, VerifierConfig } from './service-config.js';
import { keyLike, SERVICE_DEFAULTS, type SettingsLayer } from './settings.js';
import { configError } from './values.js';

/**
 * Merges the file's settings with the environment's, the environment winning key by key.
 * `AUTHFORT_JWKS_URL` and `AUTHFORT_DISCOVERY_URL` are one setting (where the key set is), so
 * either in the environment replaces both in the file: a file naming `jwksUrl` can be pointed
 * at a discovery document from the environment without editing it.
 */
export function mergeSettings(file: SettingsLayer, env: SettingsLayer): SettingsLayer {
  const merged: SettingsLayer = { ...file, ...env };
  if (env.jwksUrl !== undefined || env.discoveryUrl !== undefined) {
    if (env.jwksUrl === undefined) delete merged.jwksUrl;
    if (env.discoveryUrl === undefined) delete merged.discoveryUrl;
  }
  return merged;
}

/**
 * The verifier's settings with the library's `DEFAULTS`. Exactly one of the JWKS URL and the
 * discovery URL is required.
 *
 * @throws AuthFortError `ERR_CONFIG_INVALID` keyed `AUTHFORT_JWKS_URL` when neither is set
 */
export function resolveVerifier(settings: SettingsLayer): VerifierConfig {
  const { jwksUrl, discoveryUrl } = settings;

  if (jwksUrl === undefined && discoveryUrl === undefined) {
    throw configError(
      'AUTHFORT_JWKS_URL',
      'AUTHFORT_JWKS_URL or AUTHFORT_DISCOVERY_URL must be set: the key set to trust',
    );
  }
  if (jwksUrl !== undefined && discoveryUrl !== undefined) {
    throw configError(
      discoveryUrl.key,
      `${jwksUrl.key} and ${discoveryUrl.key} are both set: set exactly one`,
    );
  }

  return {
    jwksUrl: jwksUrl?.value,
    discoveryUrl: discoveryUrl?.value,
    issuer: settings.issuer?.value ?? DEFAULTS.issuer,
    audience: settings.audience?.value ?? [],
    algorithms: settings.algorithms?.value ?? [...DEFAULTS.algorithms],
    clockSkewSeconds: settings.clockSkewSeconds?.value ?? DEFAULTS.clockSkewSeconds,
    requiredClaims: settings.requiredClaims?.value ?? [...DEFAULTS.requiredClaims],
    rolesClaim: settings.rolesClaim?.value ?? DEFAULTS.rolesClaim,
    jwksMaxAgeSeconds: settings.jwksMaxAgeSeconds?.value ?? DEFAULTS.jwksMaxAgeSeconds,
    jwksCooldownSeconds: settings.jwksCooldownSeconds?.value ?? DEFAULTS.jwksCooldownSeconds,
    jwksTimeoutMs: settings.jwksTimeoutMs?.value ?? DEFAULTS.jwksTimeoutMs,
    jwksMaxBytes: settings.jwksMaxBytes?.value ?? DEFAULTS.jwksMaxBytes,
    maxTokenBytes: settings.maxTokenBytes?.value ?? DEFAULTS.maxTokenBytes,
    tokenCacheSize: settings.tokenCacheSize?.value ?? DEFAULTS.tokenCacheSize,
  };
}

/**
 * Introspection, when an endpoint is configured. The secret is required with the URL (both
 * AuthFort and RFC 7662 endpoints authenticate their callers), and a secret without a URL is
 * refused: it usually means the URL's variable name has a typo.
 *
 * @returns `undefined` when no introspection URL is set
 */
export function resolveIntrospection(settings: SettingsLayer): IntrospectionConfig | undefined {
  const { introspectUrl: url, introspectSecret: secret } = settings;

  if (url === undefined) {
    if (secret === undefined) return undefined;
    const urlKey = keyLike('introspectUrl', secret);
    throw configError(
      secret.key,
      `${secret.key} is set but ${urlKey} is not: set the endpoint or remove the secret`,
    );
  }

  if (secret === undefined) {
    const secretKey = keyLike('introspectSecret', url);
    throw configError(secretKey, `${secretKey} is required when ${url.key} is set`);
  }

  const style = settings.introspectStyle?.value ?? SERVICE_DEFAULTS.introspectStyle;
  const timeoutMs = settings.introspectTimeoutMs?.value ?? SERVICE_DEFAULTS.introspectTimeoutMs;
  // The client parses the secret the same way when it starts; checking it here too turns a
  // malformed one into a start-up error that names the setting (and never quotes the value).
  if (style === 'rfc7662' && parseCredentials(secret.value) === undefined) {
    throw configError(
      secret.key,
      `${secret.key} must be client_id:client_secret for the rfc7662 introspection style`,
    );
  }
  return { style, url: url.value, timeoutMs, secret: secret.value };
}
