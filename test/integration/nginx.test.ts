// The real NGINX, on the shipped deploy/nginx/authfort.conf, asking the real authfort-service
// (auth_request to GET /auth) before an echo upstream.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { suiteBinary } from '../support/binaries.js';
import { startNginx } from '../support/nginx.js';
import { freePort } from '../support/ports.js';
import type { ProxyHandle } from '../support/proxies.js';
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
  startAuthfort,
  startStack,
  upstreamRequestsFrom,
} from './fixture.js';

const nginx = await suiteBinary('nginx');

describe('NGINX auth_request (authfort.conf) with authfort', { skip: nginx.skip }, () => {
  const cleanup = new Cleanup();
  let stack: Stack;
  let proxy: ProxyHandle;

  /** NGINX on authfort.conf, asking `httpPort`, in front of the stack's upstream. */
  function nginxFor(httpPort: number): Promise<ProxyHandle> {
    return startNginx({
      binary: nginx.path(),
      values: { AUTHFORT_HTTP_PORT: httpPort, UPSTREAM_PORT: stack.upstream.port },
    });
  }

  before(async () => {
    stack = await startStack(cleanup);
    proxy = await nginxFor(stack.service.ports.http);
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

  test('answers 401 with exactly one WWW-Authenticate', async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    const missing = await send(`${proxy.url}/orders`, SPOOFED);
    assert.equal(missing.status, 401, proxy.logs());
    assert.deepEqual(missing.challenges, [MISSING_TOKEN_CHALLENGE]);

    for (const token of [stack.tokens.expired, stack.tokens.garbage]) {
      const reply = await send(`${proxy.url}/orders`, bearer(token));
      assert.equal(reply.status, 401, proxy.logs());
      assert.equal(reply.challenges.length, 1);
      assert.match(reply.challenges[0] ?? '', INVALID_TOKEN_CHALLENGE);
    }
    assert.equal(received().length, 0);
  });

  test('/admin asks for the admin role: 403 with the challenge for a user', async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    // NGINX matches locations on the decoded, merged path, and the location ignores case.
    const paths = ['/admin', '/admin/users', '/%61dmin/users', '//admin/users', '/ADMIN/users'];
    for (const path of paths) {
      const reply = await send(`${proxy.url}${path}`, bearer(stack.tokens.user));

      assert.equal(reply.status, 403, `${path}\n${proxy.logs()}`);
      assert.equal(reply.challenges.length, 1, path);
      assert.match(reply.challenges[0] ?? '', INSUFFICIENT_SCOPE_CHALLENGE);
    }
    assert.equal(received().length, 0);

    const reply = await send(`${proxy.url}/admin/users`, bearer(stack.tokens.admin));

    assert.equal(reply.status, 200, proxy.logs());
    assert.deepEqual(reply.challenges, []);
    assertIdentity(received()[0]?.headers, {
      id: 'admin-1',
      email: 'grace@example.com',
      roles: 'admin,user',
    });
  });

  test('hands authfort the original URI (X-Original-URI) for its YAML rules', async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    // The subrequest is always GET /auth; only X-Original-URI tells authfort this is /reports.
    // It carries the path as the client sent it; authfort reads it every way a server might.
    for (const path of [...REPORTS_SPELLINGS, '/reports%2Fq1']) {
      const denied = await send(`${proxy.url}${path}?x=1`, bearer(stack.tokens.user));
      assert.equal(denied.status, 403, `${path}\n${proxy.logs()}`);
    }
    assert.equal(received().length, 0);

    const allowed = await send(`${proxy.url}/reports/q1?x=1`, bearer(stack.tokens.auditor));
    assert.equal(allowed.status, 200, proxy.logs());
    assert.equal(received()[0]?.url, '/reports/q1?x=1');
  });

  test("takes no route policy from the client's query string", async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    // Read as policy, roles=nobody would deny (403) and introspect=true would fail (500 here).
    const open = await send(
      `${proxy.url}/orders?roles=nobody&introspect=true`,
      bearer(stack.tokens.user),
    );
    assert.equal(open.status, 200, proxy.logs());
    assert.equal(received().length, 1);

    // Nor can a client's query string weaken /admin's policy.
    const admin = await send(`${proxy.url}/admin/users?roles=user`, bearer(stack.tokens.user));
    assert.equal(admin.status, 403, proxy.logs());
    assert.equal(received().length, 1);
  });

  test('serves /public/ without a token and without client identity headers', async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${proxy.url}/public/page`, SPOOFED);

    assert.equal(reply.status, 200, proxy.logs());
    assertIdentity(received()[0]?.headers, { id: undefined, email: undefined, roles: undefined });
  });

  // auth_request passes only 2xx, 401 and 403 through. Any other answer of the subrequest (503)
  // and a failed subrequest (connection refused: 502) become NGINX's own 500 for the client.
  // Still closed, but a 500 says "server bug" where 503 said "try again".
  test('answers 500 when authfort is unreachable', async (t) => {
    const unreachable = await nginxFor(await freePort());
    t.after(() => unreachable.close());
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${unreachable.url}/orders`, bearer(stack.tokens.user));

    assert.equal(reply.status, 500, unreachable.logs());
    assert.equal(received().length, 0);
  });

  test('answers 500 when authfort has no key set (its 503)', async (t) => {
    const local = new Cleanup();
    t.after(() => local.run());
    const authfort = await startAuthfort(local, { key: stack.key, jwksStatus: 500 });
    const proxied = await nginxFor(authfort.service.ports.http);
    local.defer(() => proxied.close());
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${proxied.url}/orders`, bearer(stack.tokens.user));

    assert.equal(reply.status, 500, proxied.logs());
    assert.equal(received().length, 0);
  });
});
