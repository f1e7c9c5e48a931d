/**
 * Real-time token checks against the auth server: AuthFort's introspection endpoint or any
 * RFC 7662 endpoint.
 */
export { IntrospectionClient, type IntrospectionStats } from './client.js';
export type { IntrospectionAnswer } from './wire.js';
export {
  INTROSPECTION_DEFAULTS,
  type IntrospectionClientOptions,
  type IntrospectionStyle,
  type OptionNames,
} from './options.js';
