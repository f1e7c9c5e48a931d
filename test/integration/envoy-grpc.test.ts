// The real Envoy, on the shipped deploy/envoy/envoy.yaml, asking the real authfort-service over
// gRPC before an echo upstream: the shared scenarios, then what only the gRPC config does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import { suiteBinary } from '../support/binaries.js';
import type { ProxyHandle } from '../support/proxies.js';
import { ENVOY_GRPC, startShippedEnvoy } from './envoy-configs.js';
import { assertIdentity, bearer, send, SPOOFED, upstreamRequestsFrom } from './fixture.js';
import { describeProxy, type ProxySuite } from './scenarios.js';

const envoy = await suiteBinary('envoy');

describeProxy(
  {
    title: 'Envoy ext_authz over gRPC (envoy.yaml) with authfort',
    skip: envoy.skip,
    authfortPort: ENVOY_GRPC.authfortPort,
    start: (target) => startShippedEnvoy(envoy.path(), ENVOY_GRPC, target),
    pathCarrier: 'attributes.request.http.path',
    // The /admin route carries required_roles in context_extensions. Envoy normalises the path
    // before it picks a route, and the route ignores case.
    adminRoute: true,
    denialBodyType: 'application/json',
    // path_with_escaped_slashes_action: UNESCAPE_AND_REDIRECT sends the client to the plain path.
    escapedSlash: 'redirected',
    // failure_mode_allow: false and status_on_error: ServiceUnavailable. Without a key set
    // authfort fails the RPC with UNAVAILABLE (not a CheckResponse): the same 503.
    statusWhenUnreachable: 503,
    statusWithoutKeySet: 503,
  },
  grpcOnly,
);

/** What only envoy.yaml does: identity headers from the CheckResponse alone, dynamic_metadata. */
function grpcOnly(suite: ProxySuite): void {
  /** Envoy on envoy.yaml rewritten by `transform`, asking the suite's authfort. */
  function envoyWith(transform: (config: string) => string): Promise<ProxyHandle> {
    const { service, upstream } = suite.stack;
    const target = {
      authfortPort: ENVOY_GRPC.authfortPort(service.ports),
      upstreamPort: upstream.port,
    };
    return startShippedEnvoy(envoy.path(), ENVOY_GRPC, target, transform);
  }

  test("authfort's answer alone overwrites and removes identity headers", async (t) => {
    const { stack } = suite;
    // envoy.yaml strips x-user-* before any filter runs, which would hide a CheckResponse that
    // appends instead of overwriting, or forgets headers_to_remove. Take that safeguard out.
    const bare = await envoyWith(withoutEarlyHeaderMutation);
    t.after(() => bare.close());
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${bare.url}/orders`, { ...SPOOFED, ...bearer(stack.tokens.noEmail) });

    assert.equal(reply.status, 200, bare.logs());
    assertIdentity(received()[0]?.headers, { id: 'user-2', email: undefined, roles: 'user' });
  });

  test('logs the subject and roles from dynamic_metadata, and null for a denial', async () => {
    const { stack, proxy } = suite;
    // The shipped access log reads them from the envoy.filters.http.ext_authz namespace.
    await send(`${proxy.url}/orders/logged`, bearer(stack.tokens.admin));
    await send(`${proxy.url}/orders/refused`, SPOOFED);

    const allowed = await accessLogEntry(proxy, '/orders/logged');
    assert.deepEqual(
      { status: allowed.status, sub: allowed.sub, roles: allowed.roles },
      { status: 200, sub: 'admin-1', roles: ['admin', 'user'] },
    );
    const denied = await accessLogEntry(proxy, '/orders/refused');
    assert.deepEqual(
      { status: denied.status, sub: denied.sub, roles: denied.roles },
      { status: 401, sub: null, roles: null },
    );
  });

  test('hands dynamic_metadata to the filters after ext_authz (the router here)', async (t) => {
    const { stack } = suite;
    const tagged = await envoyWith(withMetadataHeaders);
    t.after(() => tagged.close());
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${tagged.url}/orders`, {
      ...bearer(stack.tokens.user),
      'x-authz-sub': 'evil',
    });

    assert.equal(reply.status, 200, tagged.logs());
    const headers = received()[0]?.headers ?? {};
    assert.equal(headers['x-authz-sub'], 'user-1');
    // A list value comes out as JSON.
    assert.equal(headers['x-authz-roles'], '["user"]');
    assert.equal(headers['x-authz-iss'], 'authfort');
  });
}

/**
 * envoy.yaml with the virtual host copying authfort's dynamic_metadata into request headers to
 * the app, overwriting any a client sent. The router adds them, after ext_authz has run.
 */
function withMetadataHeaders(config: string): string {
  const indent = ' '.repeat(22);
  const headers = ['sub', 'roles', 'iss'].map(
    (key) =>
      `${indent}  - header:\n` +
      `${indent}      key: x-authz-${key}\n` +
      `${indent}      value: '%DYNAMIC_METADATA(envoy.filters.http.ext_authz:${key})%'\n` +
      `${indent}    append_action: OVERWRITE_IF_EXISTS_OR_ADD\n`,
  );
  const tagged = config.replace(
    /^( {22}domains: \['\*'\]\n)/m,
    `$1${indent}request_headers_to_add:\n${headers.join('')}`,
  );
  assert.notEqual(tagged, config, "envoy.yaml has no virtual host with domains: ['*']");
  return tagged;
}

/** One line of the shipped JSON access log. */
interface AccessLogEntry {
  path: string;
  status: number;
  sub: string | null;
  roles: string[] | null;
}

/** The access log line of the request to `path`, polled for a bounded number of times. */
async function accessLogEntry(proxy: ProxyHandle, path: string): Promise<AccessLogEntry> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    // Envoy's own log lines are text; the last line may still be half written.
    const entry = proxy
      .logs()
      .split('\n')
      .filter((line) => line.startsWith('{') && line.endsWith('}'))
      .map((line) => JSON.parse(line) as AccessLogEntry)
      .find((logged) => logged.path === path);
    if (entry !== undefined) return entry;
    await delay(50);
  }
  assert.fail(`no access log line for ${path}\n${proxy.logs()}`);
}

/** envoy.yaml without its early_header_mutation_extensions block. */
function withoutEarlyHeaderMutation(config: string): string {
  const stripped = config.replace(/^( *)early_header_mutation_extensions:\n(?:\1 +\S.*\n)+/m, '');
  assert.notEqual(stripped, config, 'envoy.yaml has no early_header_mutation_extensions block');
  assert.doesNotMatch(stripped, /remove: x-user-/);
  return stripped;
}
