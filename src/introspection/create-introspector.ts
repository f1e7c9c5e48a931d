/**
 * Builds the introspection client from the service's settings, or nothing when introspection is
 * not configured, so the decision core answers such routes with `ERR_INTROSPECTION_NOT_CONFIGURED`.
 */
import { AuthFortError } from '../errors.js';
import { IntrospectionClient } from './client.js';
import type { IntrospectionStyle, OptionNames } from './options.js';

/** The introspection settings, named as in the library options (DESIGN.md, "Configuration"). */
export interface IntrospectionConfig {
  /** `AUTHFORT_INTROSPECT_URL`: the full endpoint URL. Default: introspection off. */
  introspectUrl?: string;
  /** `AUTHFORT_INTROSPECT_SECRET`: bearer secret, or `client_id:client_secret` for RFC 7662. */
  introspectSecret?: string;
  /** The endpoint's wire style. Default `authfort`. */
  introspectStyle?: IntrospectionStyle;
  /** How long one request may take, in milliseconds. Default 2000. */
  introspectTimeoutMs?: number;
  /** How long an answer is reused, in seconds. Default 5; 0 disables the cache. */
  introspectCacheSeconds?: number;
  /** Clock in milliseconds since the epoch; for tests. Default `Date.now`. */
  clock?: () => number;
}

const CONFIG_NAMES: OptionNames = {
  url: 'introspectUrl',
  secret: 'introspectSecret',
  style: 'introspectStyle',
  timeoutMs: 'introspectTimeoutMs',
  cacheSeconds: 'introspectCacheSeconds',
};

/**
 * The introspection client for `config`, or `undefined` when no endpoint is configured.
 *
 * @param config The introspection settings.
 * @param names What to call each client option in errors; default the `introspect*` names above.
 * @throws AuthFortError `ERR_CONFIG_INVALID` naming the setting at fault, also when a secret is
 *   set without an endpoint (a secret that would silently go unused is a configuration mistake).
 */
export function createIntrospector(
  config: IntrospectionConfig,
  names: OptionNames = CONFIG_NAMES,
): IntrospectionClient | undefined {
  if (config.introspectUrl === undefined) {
    if (config.introspectSecret === undefined) return undefined;

    const key = names.url ?? 'url';
    throw new AuthFortError('ERR_CONFIG_INVALID', `${key} must be set when a secret is`, { key });
  }

  return new IntrospectionClient(
    {
      url: config.introspectUrl,
      secret: config.introspectSecret,
      style: config.introspectStyle,
      timeoutMs: config.introspectTimeoutMs,
      cacheSeconds: config.introspectCacheSeconds,
      clock: config.clock,
    },
    names,
  );
}
