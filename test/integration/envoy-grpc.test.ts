// The real Envoy, on the shipped deploy/envoy/envoy.yaml, asking the real authfort-service over
// gRPC before an echo upstream: what the client gets back and what the app receives.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import { suiteBinary } from '../support/binaries.js';
import { type EnvoyHandle, startEnvoy } from '../support/envoy.js';
import {
  assertIdentity,
  bearer,
  Cleanup,
  INSUFFICIENT_SCOPE_CHALLENGE,
  INVALID_TOKEN_CHALLENGE,
  MISSING_TOKEN_CHALLENGE,
  REPORTS_SPELLINGS,
  send,
  signTokens,
  SPOOFED,
  type Stack,
  startAuthfort,
  startStack,
  upstreamRequestsFrom,
} from './fixture.js';

const envoy = await suiteBinary('envoy');

describe('Envoy ext_authz over gRPC (envoy.yaml) with authfort', { skip: envoy.skip }, () => {
  const cleanup = new Cleanup();
  let stack: Stack;
  let proxy: EnvoyHandle;

  /** Envoy on envoy.yaml, asking `grpcPort`, in front of the stack's upstream. */
  function envoyFor(grpcPort: number, transform?: (config: string) => string) {
    return startEnvoy({
      binary: envoy.path(),
      template: 'envoy.yaml',
      values: { AUTHFORT_GRPC_PORT: grpcPort, UPSTREAM_PORT: stack.upstream.port },
      transform,
    });
  }

  before(async () => {
    stack = await startStack(cleanup);
    proxy = await envoyFor(stack.service.ports.grpc);
    cleanup.defer(() => proxy.close());
  });
  after(() => cleanup.run());

  test('allows a valid token and hands the upstream the identity from its claims', async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${proxy.url}/orders/7?page=2`, bearer(stack.tokens.user));

    assert.equal(reply.status, 200, proxy.logs());
    assert.equal(received().length, 1);
    assert.equal(received()[0]?.url, '/orders/7?page=2');
    assertIdentity(received()[0]?.headers, {
      id: 'user-1',
      email: 'ada@example.com',
      roles: 'user',
    });
  });

  test('replaces client-sent identity headers, also for a claim the token lacks', async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${proxy.url}/orders`, {
      ...SPOOFED,
      ...bearer(stack.tokens.noEmail),
    });

    assert.equal(reply.status, 200, proxy.logs());
    assertIdentity(received()[0]?.headers, { id: 'user-2', email: undefined, roles: 'user' });
  });

  test('answers a request without a token 401 with a bare challenge and the reason', async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${proxy.url}/orders`, SPOOFED);

    assert.equal(reply.status, 401, proxy.logs());
    assert.deepEqual(reply.challenges, [MISSING_TOKEN_CHALLENGE]);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(reply.body), { error: 'ERR_TOKEN_MISSING' });
    assert.equal(received().length, 0);
  });

  test('answers an expired or a garbage token 401 invalid_token', async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    for (const [token, code] of [
      [stack.tokens.expired, 'ERR_TOKEN_EXPIRED'],
      [stack.tokens.garbage, 'ERR_TOKEN_MALFORMED'],
    ] as const) {
      const reply = await send(`${proxy.url}/orders`, bearer(token));

      assert.equal(reply.status, 401, proxy.logs());
      assert.equal(reply.challenges.length, 1);
      assert.match(reply.challenges[0] ?? '', INVALID_TOKEN_CHALLENGE);
      assert.deepEqual(JSON.parse(reply.body), { error: code });
    }
    assert.equal(received().length, 0);
  });

  test("enforces /admin's context_extensions: 403 for a user, 200 for an admin", async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    // Envoy normalises the path before it picks a route, and the route ignores case.
    for (const path of ['/admin', '/admin/users', '/%61dmin/users', '//admin', '/ADMIN/users']) {
      const reply = await send(`${proxy.url}${path}`, bearer(stack.tokens.user));

      assert.equal(reply.status, 403, `${path}\n${proxy.logs()}`);
      assert.equal(reply.challenges.length, 1);
      assert.match(reply.challenges[0] ?? '', INSUFFICIENT_SCOPE_CHALLENGE);
      assert.deepEqual(JSON.parse(reply.body), { error: 'ERR_ROLE_MISSING' });
    }
    assert.equal(received().length, 0);

    const reply = await send(`${proxy.url}/admin/users`, bearer(stack.tokens.admin));

    assert.equal(reply.status, 200, proxy.logs());
    assert.equal(received().length, 1);
    assertIdentity(received()[0]?.headers, {
      id: 'admin-1',
      email: 'grace@example.com',
      roles: 'admin,user',
    });
  });

  test('matches YAML route rules on the path Envoy reports', async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    for (const path of REPORTS_SPELLINGS) {
      const denied = await send(`${proxy.url}${path}`, bearer(stack.tokens.user));
      assert.equal(denied.status, 403, `${path}\n${proxy.logs()}`);
    }
    // path_with_escaped_slashes_action: UNESCAPE_AND_REDIRECT sends the client to the plain path.
    const escaped = await send(`${proxy.url}/reports%2Fq1`, bearer(stack.tokens.user));
    assert.equal(escaped.status, 307, proxy.logs());
    assert.equal(escaped.headers.location, '/reports/q1');
    assert.equal(received().length, 0);

    const allowed = await send(`${proxy.url}/reports/q1`, bearer(stack.tokens.auditor));
    assert.equal(allowed.status, 200, proxy.logs());
    assert.equal(received().length, 1);
  });

  test('serves /public/ without a token and without client identity headers', async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${proxy.url}/public/page`, SPOOFED);

    assert.equal(reply.status, 200, proxy.logs());
    assert.equal(received()[0]?.url, '/public/page');
    assertIdentity(received()[0]?.headers, { id: undefined, email: undefined, roles: undefined });
  });

  test("authfort's answer alone overwrites and removes identity headers", async (t) => {
    // envoy.yaml strips x-user-* before any filter runs, which would hide a CheckResponse that
    // appends instead of overwriting, or forgets headers_to_remove. Take that safeguard out.
    const bare = await envoyFor(stack.service.ports.grpc, withoutEarlyHeaderMutation);
    t.after(() => bare.close());
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${bare.url}/orders`, { ...SPOOFED, ...bearer(stack.tokens.noEmail) });

    assert.equal(reply.status, 200, bare.logs());
    assertIdentity(received()[0]?.headers, { id: 'user-2', email: undefined, roles: 'user' });
  });

  test('fails closed with status_on_error once authfort is down', async (t) => {
    const local = new Cleanup();
    t.after(() => local.run());
    const authfort = await startAuthfort(local, { key: stack.key });
    const proxied = await envoyFor(authfort.service.ports.grpc);
    local.defer(() => proxied.close());
    const received = upstreamRequestsFrom(stack.upstream);

    const before = await send(`${proxied.url}/orders`, bearer(stack.tokens.user));
    assert.equal(before.status, 200, proxied.logs());
    await authfort.stop();
    const down = await send(`${proxied.url}/orders`, bearer(stack.tokens.user));

    // failure_mode_allow: false and status_on_error: ServiceUnavailable in envoy.yaml.
    assert.equal(down.status, 503, proxied.logs());
    assert.equal(received().length, 1);
  });

  test('fails closed with status_on_error when no key set ever loaded', async (t) => {
    const local = new Cleanup();
    t.after(() => local.run());
    const authfort = await startAuthfort(local, { key: stack.key, jwksStatus: 500 });
    // With its health check, envoy.yaml never asks an authfort that is not ready
    // (envoy-health.test.ts). Take it out to see authfort's own answer to such a Check.
    const proxied = await envoyFor(authfort.service.ports.grpc, withoutHealthChecks);
    local.defer(() => proxied.close());
    const tokens = await signTokens(stack.key);
    const received = upstreamRequestsFrom(stack.upstream);

    // authfort fails the RPC with UNAVAILABLE (not a CheckResponse); Envoy answers its
    // status_on_error and never lets the request through.
    for (const [path, token] of [
      ['/orders', tokens.user],
      ['/admin/users', tokens.admin],
    ] as const) {
      const reply = await send(`${proxied.url}${path}`, bearer(token));
      assert.equal(reply.status, 503, `${path}\n${proxied.logs()}`);
    }
    assert.equal(received().length, 0);
    assert.equal(authfort.service.isReady(), false);
    assert.ok(authfort.issuer.requestCount(authfort.issuer.jwksPath) >= 1);
  });

  test('logs the subject and roles from dynamic_metadata, and null for a denial', async () => {
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
    const tagged = await envoyFor(stack.service.ports.grpc, withMetadataHeaders);
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
});

/** envoy.yaml without the health check of the authfort cluster. */
function withoutHealthChecks(config: string): string {
  const stripped = config.replace(/^( *)health_checks:\n(?:\1 +\S.*\n)+/m, '');
  assert.notEqual(stripped, config, 'envoy.yaml has no health_checks block');
  assert.doesNotMatch(stripped, /grpc_health_check/);
  return stripped;
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
async function accessLogEntry(proxy: EnvoyHandle, path: string): Promise<AccessLogEntry> {
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
