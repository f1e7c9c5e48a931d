// The real Envoy, on the shipped deploy/envoy/ configs, health-checking the real authfort-service:
// grpc.health.v1.Health in envoy.yaml, GET /readyz in envoy-http.yaml. An authfort without a key
// set reports NOT_SERVING (503), Envoy marks its host failed_active_hc and answers 503 itself
// without calling it; once the key set loads, the host is healthy and requests pass.
//
// The checks run every 100 ms here rather than every 2 s. Every wait polls Envoy's admin a bounded
// number of times; nothing asserts how long a transition took.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import { suiteBinary } from '../support/binaries.js';
import type { EnvoyHandle } from '../support/envoy.js';
import { ENVOY_GRPC, ENVOY_HTTP, startShippedEnvoy } from './envoy-configs.js';
import {
  assertIdentity,
  bearer,
  bounded,
  Cleanup,
  send,
  type Stack,
  startAuthfort,
  startStack,
  upstreamRequestsFrom,
} from './fixture.js';

const envoy = await suiteBinary('envoy');

describe('Envoy health checks of authfort (deploy/envoy)', { skip: envoy.skip }, () => {
  const cleanup = new Cleanup();
  let stack: Stack;

  before(async () => {
    stack = await startStack(cleanup);
  });
  after(() => cleanup.run());

  for (const config of [ENVOY_GRPC, ENVOY_HTTP]) {
    const name = `${config.template}: ${config.check} keeps requests off authfort until ready`;
    test(name, async (t) => {
      const local = new Cleanup();
      t.after(() => local.run());
      // No key set loads until the issuer is fixed; then a retry within about a second.
      const authfort = await startAuthfort(local, {
        key: stack.key,
        jwksStatus: 500,
        env: { AUTHFORT_JWKS_COOLDOWN_SECONDS: '0', AUTHFORT_JWKS_MAX_AGE_SECONDS: '1' },
      });
      const target = {
        authfortPort: config.authfortPort(authfort.service.ports),
        upstreamPort: stack.upstream.port,
      };
      const proxy = await startShippedEnvoy(envoy.path(), config, target, fastHealthChecks);
      local.defer(() => proxy.close());
      const admin = new EnvoyAdmin(proxy, config.cluster);
      const received = upstreamRequestsFrom(stack.upstream);

      // Not ready: authfort answers the check (no network failure), and the answer is no.
      assert.deepEqual(await admin.waitForHealth(['failed_active_health_check']), [
        'failed_active_health_check',
      ]);
      assert.ok((await admin.counter('health_check.failure')) >= 1, proxy.logs());
      assert.equal(await admin.counter('health_check.network_failure'), 0, proxy.logs());

      const refused = await send(`${proxy.url}/orders`, bearer(stack.tokens.user));

      assert.equal(refused.status, 503, proxy.logs());
      assert.equal(received().length, 0);
      // Envoy found no healthy host and did not ask authfort (no panic routing).
      assert.ok((await admin.counter('upstream_cx_none_healthy')) >= 1, proxy.logs());
      assert.equal(await admin.counter('upstream_rq_total'), 0, proxy.logs());

      authfort.issuer.reset(authfort.issuer.jwksPath);
      await bounded(authfort.service.auth.ready, 10_000, 'authfort did not load the key set');

      assert.deepEqual(await admin.waitForHealth([]), []);
      const allowed = await send(`${proxy.url}/orders`, bearer(stack.tokens.user));
      assert.equal(allowed.status, 200, proxy.logs());
      assertIdentity(received()[0]?.headers, {
        id: 'user-1',
        email: 'ada@example.com',
        roles: 'user',
      });
    });
  }
});

/**
 * The shipped health check with `interval` and `no_traffic_interval` at 100 ms; every other
 * setting (timeout, thresholds, panic threshold, what is checked) as shipped.
 */
function fastHealthChecks(config: string): string {
  let replaced = 0;
  const fast = config.replace(/^( +(?:- )?(?:no_traffic_)?interval:) \S+$/gm, (_, key: string) => {
    replaced += 1;
    return `${key} 0.1s`;
  });
  assert.equal(replaced, 2, 'expected one health check with interval and no_traffic_interval');
  return fast;
}

/** Reads one cluster's state from Envoy's admin endpoint. */
class EnvoyAdmin {
  constructor(
    private readonly proxy: EnvoyHandle,
    private readonly cluster: string,
  ) {}

  /**
   * The health flags of the cluster's only host that are set (`failed_active_health_check`,
   * ...), and its EDS status unless HEALTHY: `[]` is a healthy host.
   */
  async health(): Promise<string[]> {
    const clusters = (await this.get('/clusters?format=json')) as {
      cluster_statuses: { name: string; host_statuses?: { health_status: HealthStatus }[] }[];
    };
    const hosts = clusters.cluster_statuses.find((c) => c.name === this.cluster)?.host_statuses;
    assert.equal(hosts?.length, 1, `${this.cluster} has not exactly one host`);
    const { eds_health_status: eds, ...flags } = (hosts[0] as { health_status: HealthStatus })
      .health_status;
    const set = Object.keys(flags).filter((flag) => flags[flag] === true);
    return eds === 'HEALTHY' ? set : [...set, `eds_health_status=${eds}`];
  }

  /** Polls {@link health} until it is `want` (at most 100 times, 50 ms apart); the last read. */
  async waitForHealth(want: string[]): Promise<string[]> {
    let flags = await this.health();
    for (let attempt = 0; attempt < 100 && !sameFlags(flags, want); attempt += 1) {
      await delay(50);
      flags = await this.health();
    }
    return flags;
  }

  /** `cluster.<name>.<stat>`, e.g. `health_check.failure`. */
  async counter(stat: string): Promise<number> {
    const name = `cluster.${this.cluster}.${stat}`;
    const filter = encodeURIComponent(`^${escapeRegExp(name)}$`);
    const body = (await this.get(`/stats?format=json&filter=${filter}`)) as {
      stats: { name: string; value?: number }[];
    };
    const found = body.stats.find((s) => s.name === name);
    assert.ok(found, `Envoy has no stat ${name}`);
    return found.value ?? 0;
  }

  private async get(path: string): Promise<unknown> {
    const response = await fetch(`${this.proxy.adminUrl}${path}`);
    assert.equal(response.status, 200, `admin ${path}`);
    return response.json();
  }
}

/** `health_status` of a host in `/clusters?format=json`: flags that are true when set. */
type HealthStatus = { eds_health_status?: string } & Record<string, unknown>;

function sameFlags(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((flag) => b.includes(flag));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
