/**
 * Start-up warnings: configurations that are valid but probably not what the operator meant.
 * The server logs each at `warn` once, after the configuration loads.
 */
import { DEFAULTS } from '../options.js';
import { knownEnvNames, type Env } from './env.js';
import type { ServiceConfig } from './service-config.js';
import { suggestion } from './yaml-shapes.js';

/** One start-up warning. */
export interface ConfigWarning {
  /** The setting concerned (`routes[0].introspect`, `AUTHFORT_JWKS_URL`). */
  readonly key: string;
  /** One line: what is set, and its consequence. */
  readonly message: string;
}

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127\.\d+\.\d+\.\d+$/.test(hostname)
  );
}

function plainHttp(url: string | undefined): boolean {
  if (url === undefined) return false;
  const parsed = new URL(url);
  return parsed.protocol === 'http:' && !isLoopback(parsed.hostname);
}

/** DESIGN.md: a route asking for introspection with no endpoint gets 503, never a downgrade. */
function introspectionWarnings(config: ServiceConfig): ConfigWarning[] {
  if (config.introspection !== undefined) return [];

  return config.routes.flatMap((rule, index) =>
    rule.introspect === true
      ? [
          {
            key: `routes[${index}].introspect`,
            message:
              `routes[${index}] asks for introspection but AUTHFORT_INTROSPECT_URL is not set: ` +
              'such requests will be answered 503',
          },
        ]
      : [],
  );
}

function transportWarnings(config: ServiceConfig): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const { jwksUrl, discoveryUrl } = config.verifier;

  if (plainHttp(jwksUrl ?? discoveryUrl)) {
    const key = jwksUrl === undefined ? 'AUTHFORT_DISCOVERY_URL' : 'AUTHFORT_JWKS_URL';
    warnings.push({
      key,
      message:
        `${key} uses plain http to a remote host: whoever can alter that traffic can swap ` +
        'the key set and mint tokens',
    });
  }
  if (plainHttp(config.introspection?.url)) {
    warnings.push({
      key: 'AUTHFORT_INTROSPECT_URL',
      message:
        'AUTHFORT_INTROSPECT_URL uses plain http to a remote host: the introspection secret ' +
        'and tokens travel unencrypted',
    });
  }
  return warnings;
}

function audienceWarnings(config: ServiceConfig): ConfigWarning[] {
  const { issuer, audience } = config.verifier;
  // AuthFort's own tokens carry no `aud`; another provider's tokens are minted for many
  // clients, and without an audience check a token meant for any of them is accepted here.
  if (audience.length > 0 || issuer === DEFAULTS.issuer) return [];
  return [
    {
      key: 'AUTHFORT_AUDIENCE',
      message:
        'AUTHFORT_AUDIENCE is not set: tokens the issuer minted for any of its clients ' +
        'are accepted',
    },
  ];
}

/** Only the obvious cases: a catch-all `/**` for every method, or the same pattern again. */
function shadowedRouteWarnings(config: ServiceConfig): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];

  config.routes.forEach((rule, index) => {
    const shadow = config.routes.slice(0, index).findIndex((earlier) => {
      const samePath = earlier.path === '/**' || earlier.path === rule.path;
      const methods = earlier.methods;
      const coversMethods =
        methods === undefined || (rule.methods?.every((m) => methods.includes(m)) ?? false);
      return samePath && coversMethods;
    });
    if (shadow === -1) return;

    warnings.push({
      key: `routes[${index}]`,
      message: `routes[${index}] is never used: routes[${shadow}] matches all its requests first`,
    });
  });
  return warnings;
}

function unknownEnvWarnings(env: Env): ConfigWarning[] {
  const known = knownEnvNames();
  return Object.keys(env)
    .filter((name) => name.startsWith('AUTHFORT_') && !known.has(name))
    .sort()
    .map((name) => ({
      key: name,
      message: `${name} is not a setting and is ignored${suggestion(name, known)}`,
    }));
}

/**
 * Warnings about a loaded configuration: routes asking for introspection with no endpoint
 * (answered 503, as DESIGN.md requires start-up to warn), key set or introspection over plain
 * http to a remote host, no audience check for a non-AuthFort issuer, route rules an earlier
 * rule hides, and, when `env` is given, `AUTHFORT_*` variables that are not settings (typos).
 *
 * @param env - the environment the configuration was loaded from; omit to skip that check
 */
export function configWarnings(config: ServiceConfig, env?: Env): readonly ConfigWarning[] {
  return [
    ...introspectionWarnings(config),
    ...transportWarnings(config),
    ...audienceWarnings(config),
    ...shadowedRouteWarnings(config),
    ...(env === undefined ? [] : unknownEnvWarnings(env)),
  ];
}
