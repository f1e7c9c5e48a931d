/**
 * The two Envoy configs shipped in deploy/envoy/, as the integration tests start them: which of
 * authfort's ports each asks and which cluster health-checks authfort, plus the rewrite that
 * takes that health check out.
 */
import assert from 'node:assert/strict';

import type { RunningService } from '../../src/server/service.js';
import { type EnvoyHandle, type EnvoyTemplate, startEnvoy } from '../support/envoy.js';
import type { ProxyTarget } from './scenarios.js';

/** One shipped Envoy config and how it reaches authfort. */
export interface EnvoyConfig {
  template: EnvoyTemplate;
  /** The cluster of authfort, which Envoy health-checks. */
  cluster: string;
  /** How Envoy health-checks authfort, for test names. */
  check: string;
  /** The placeholder for authfort's port. */
  portValue: 'AUTHFORT_GRPC_PORT' | 'AUTHFORT_HTTP_PORT';
  /** The port of authfort this config asks. */
  authfortPort(ports: RunningService['ports']): number;
}

/** envoy.yaml: ext_authz over gRPC. */
export const ENVOY_GRPC: EnvoyConfig = {
  template: 'envoy.yaml',
  cluster: 'authfort',
  check: 'gRPC Health (envoy.service.auth.v3.Authorization)',
  portValue: 'AUTHFORT_GRPC_PORT',
  authfortPort: (ports) => ports.grpc,
};

/** envoy-http.yaml: ext_authz HTTP mode, /auth + the original path. */
export const ENVOY_HTTP: EnvoyConfig = {
  template: 'envoy-http.yaml',
  cluster: 'authfort_http',
  check: 'GET /readyz',
  portValue: 'AUTHFORT_HTTP_PORT',
  authfortPort: (ports) => ports.http,
};

/**
 * Envoy on `config` in front of `target`. `transform` rewrites the rendered config after
 * `target.unchecked` has taken the health check out.
 */
export function startShippedEnvoy(
  binary: string,
  config: EnvoyConfig,
  target: ProxyTarget,
  transform: (rendered: string) => string = (rendered) => rendered,
): Promise<EnvoyHandle> {
  return startEnvoy({
    binary,
    template: config.template,
    values: { [config.portValue]: target.authfortPort, UPSTREAM_PORT: target.upstreamPort },
    transform: (rendered) => transform(target.unchecked ? withoutHealthChecks(rendered) : rendered),
  });
}

/** The config without the health check of the authfort cluster. */
function withoutHealthChecks(config: string): string {
  const stripped = config.replace(/^( *)health_checks:\n(?:\1 +\S.*\n)+/m, '');
  assert.notEqual(stripped, config, 'the Envoy config has no health_checks block');
  assert.doesNotMatch(stripped, /_health_check:/);
  return stripped;
}
