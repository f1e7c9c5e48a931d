// The real Envoy, on the shipped deploy/envoy/envoy-http.yaml, asking the real authfort-service
// over HTTP (ext_authz HTTP mode: /auth + the original path) before an echo upstream.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { suiteBinary } from '../support/binaries.js';
import { type EnvoyHandle, startEnvoy } from '../support/envoy.js';
import { freePort } from '../support/ports.js';
import {
  assertIdentity,
  bearer,
  Cleanup,
  INSUFFICIENT_SCOPE_CHALLENGE,
  INVALID_TOKEN_CHALLENGE,
  MISSING_TOKEN_CHALLENGE,
  REPORTS_SPELLINGS,
  send,
  SPOOFED,
  type Stack,
  startStack,
  upstreamRequestsFrom,
} from './fixture.js';

const envoy = await suiteBinary('envoy');

describe('Envoy ext_authz HTTP mode (envoy-http.yaml) with authfort', { skip: envoy.skip }, () => {
  const cleanup = new Cleanup();
  let stack: Stack;
  let proxy: EnvoyHandle;

  /** Envoy on envoy-http.yaml, asking `httpPort`, in front of the stack's upstream. */
  function envoyFor(httpPort: number): Promise<EnvoyHandle> {
    return startEnvoy({
      binary: envoy.path(),
      template: 'envoy-http.yaml',
      values: { AUTHFORT_HTTP_PORT: httpPort, UPSTREAM_PORT: stack.upstream.port },
    });
  }

  before(async () => {
    stack = await startStack(cleanup);
    proxy = await envoyFor(stack.service.ports.http);
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

  test('passes 401 on with the challenge: bare without a token, invalid_token else', async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    const missing = await send(`${proxy.url}/orders`, SPOOFED);
    assert.equal(missing.status, 401, proxy.logs());
    assert.deepEqual(missing.challenges, [MISSING_TOKEN_CHALLENGE]);
    assert.deepEqual(JSON.parse(missing.body), { error: 'ERR_TOKEN_MISSING' });

    for (const token of [stack.tokens.expired, stack.tokens.garbage]) {
      const reply = await send(`${proxy.url}/orders`, bearer(token));
      assert.equal(reply.status, 401, proxy.logs());
      assert.equal(reply.challenges.length, 1);
      assert.match(reply.challenges[0] ?? '', INVALID_TOKEN_CHALLENGE);
    }
    assert.equal(received().length, 0);
  });

  test('passes 403 insufficient_scope on from a YAML rule; a role holder passes', async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    // The rule is /reports/**: authfort matched it on the path after Envoy's /auth prefix.
    for (const path of REPORTS_SPELLINGS) {
      const denied = await send(`${proxy.url}${path}`, bearer(stack.tokens.user));
      assert.equal(denied.status, 403, `${path}\n${proxy.logs()}`);
      assert.equal(denied.challenges.length, 1);
      assert.match(denied.challenges[0] ?? '', INSUFFICIENT_SCOPE_CHALLENGE);
      assert.deepEqual(JSON.parse(denied.body), { error: 'ERR_ROLE_MISSING' });
    }
    assert.equal(received().length, 0);

    const allowed = await send(`${proxy.url}/reports/q1`, bearer(stack.tokens.auditor));
    assert.equal(allowed.status, 200, proxy.logs());
    assertIdentity(received()[0]?.headers, {
      id: 'auditor-1',
      email: 'audit@example.com',
      roles: 'auditor',
    });
  });

  test("takes no route policy from the client's query string", async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    // Read as policy, roles=nobody would deny (403) and introspect=true would fail (503: no
    // introspection endpoint is configured). In HTTP mode the query string is the client's.
    const reply = await send(
      `${proxy.url}/orders?roles=nobody&introspect=true`,
      bearer(stack.tokens.user),
    );

    assert.equal(reply.status, 200, proxy.logs());
    assert.equal(received()[0]?.url, '/orders?roles=nobody&introspect=true');
  });

  test('serves /public/ without a token and without client identity headers', async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${proxy.url}/public/page`, SPOOFED);

    assert.equal(reply.status, 200, proxy.logs());
    assertIdentity(received()[0]?.headers, { id: undefined, email: undefined, roles: undefined });
  });

  test('fails closed with status_on_error when authfort is unreachable', async (t) => {
    const unreachable = await envoyFor(await freePort());
    t.after(() => unreachable.close());
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${unreachable.url}/orders`, bearer(stack.tokens.user));

    assert.equal(reply.status, 503, unreachable.logs());
    assert.equal(received().length, 0);
  });
});
