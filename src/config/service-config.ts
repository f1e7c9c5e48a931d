/**
 * The resolved configuration of the authfort-service server: every default filled in, every
 * value checked, read once at start-up by `loadConfig`.
 */
import type { IdentityHeader } from '../decision/identity.js';
import type { TokenSource } from '../decision/token-source.js';
import type { ResolvedServiceAuthOptions } from '../options.js';
import type { RouteRule } from '../policy/route-table.js';

/**
 * Settings of the token verifier: the library's options with every default resolved (the clock
 * is left out; the server uses the real one). Pass it straight to `new ServiceAuth(...)`.
 */
export type VerifierConfig = Omit<ResolvedServiceAuthOptions, 'clock'>;

/** A TCP address to listen on. */
export interface ListenAddress {
  /** IPv4 address, IPv6 address without brackets (`::1`) or host name. */
  readonly host: string;
  /** Port, 0 to 65535; 0 lets the system choose (tests). */
  readonly port: number;
}

/** TLS of the gRPC listener, as file paths (absolute, or relative to the working directory). */
export interface TlsConfig {
  /** PEM certificate chain the server presents. */
  readonly certPath: string;
  /** PEM private key of that certificate. */
  readonly keyPath: string;
  /** PEM CA bundle; when set, clients (Envoy) must present a certificate it signed (mTLS). */
  readonly clientCaPath?: string;
}

/** The gRPC listener (Envoy ext_authz and `grpc.health.v1`). */
export interface GrpcListenerConfig extends ListenAddress {
  /** TLS, or plaintext when absent (the usual sidecar or same-pod set-up). */
  readonly tls?: TlsConfig;
}

/** How the introspection endpoint is called. */
export type IntrospectionStyle = 'authfort' | 'rfc7662';

/** Introspection settings. */
export interface IntrospectionConfig {
  /** How the endpoint is called: AuthFort's JSON and bearer secret, or RFC 7662. */
  readonly style: IntrospectionStyle;
  /** The introspection endpoint (http or https, no credentials in it). */
  readonly url: string;
  /** How long one introspection request may take, in milliseconds. Default 1000. */
  readonly timeoutMs: number;
  /**
   * AuthFort's bearer secret, or for RFC 7662 `client_id:client_secret` (HTTP Basic, RFC 6749
   * section 2.3.1), as `AUTHFORT_INTROSPECT_SECRET` gives it. Never log it: `redactConfig`
   * replaces it.
   */
  readonly secret: string;
}

export type { TokenSource } from '../decision/token-source.js';
export type { IdentityHeader } from '../decision/identity.js';

/** A pino log level. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The resolved server configuration. */
export interface ServiceConfig {
  /** The YAML file read, if any (absolute path). */
  readonly configFile?: string;
  /** Token verification, the library's options resolved. */
  readonly verifier: VerifierConfig;
  /** Introspection; absent when no endpoint is configured (routes asking for it get 503). */
  readonly introspection?: IntrospectionConfig;
  /** gRPC listener. Default `0.0.0.0:9001`, plaintext. */
  readonly grpc: GrpcListenerConfig;
  /** HTTP listener for `/auth`, `/healthz`, `/readyz`. Default `0.0.0.0:8080`. */
  readonly http: ListenAddress;
  /** Metrics listener for `/metrics`. Default `0.0.0.0:9464`. */
  readonly metrics: ListenAddress;
  /** Processes sharing the ports, 1 to 64. Default 1. */
  readonly workers: number;
  /** pino log level. Default `info`. */
  readonly logLevel: LogLevel;
  /** `realm` of the `WWW-Authenticate` challenge. Default `authfort`. */
  readonly realm: string;
  /** Identity headers set on allow. Default `sub`, `email` and the roles claim. */
  readonly identityHeaders: readonly IdentityHeader[];
  /** Where tokens are looked for, in order. Default the `Authorization: Bearer` header. */
  readonly tokenSources: readonly TokenSource[];
  /** Route rules, first match wins. Default none. */
  readonly routes: readonly RouteRule[];
  /** Route matching options for `new RouteTable(routes, routeMatching)`. */
  readonly routeMatching: { readonly caseSensitive?: boolean };
  /** The whole time a stop may take after SIGTERM, in seconds. Default 10. */
  readonly shutdownGraceSeconds: number;
  /**
   * The first part of the grace period, in seconds, in which the service still answers checks
   * while its health reports NOT_SERVING, so health-checking proxies steer away before the ports
   * close. Default 5, or the grace period when that is shorter.
   */
  readonly drainSeconds: number;
}
