// The real Envoy, on the shipped deploy/envoy/envoy.yaml, asking the real authfort-service over
// gRPC before an echo upstream: what the client gets back and what the app receives.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

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
    const proxied = await envoyFor(authfort.service.ports.grpc);
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
});

/** envoy.yaml without its early_header_mutation_extensions block. */
function withoutEarlyHeaderMutation(config: string): string {
  const stripped = config.replace(/^( *)early_header_mutation_extensions:\n(?:\1 +\S.*\n)+/m, '');
  assert.notEqual(stripped, config, 'envoy.yaml has no early_header_mutation_extensions block');
  assert.doesNotMatch(stripped, /remove: x-user-/);
  return stripped;
}
