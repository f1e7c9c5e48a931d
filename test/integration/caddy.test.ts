// The real Caddy, on the shipped deploy/caddy/Caddyfile, asking the real authfort-service
// (forward_auth to GET /auth) before an echo upstream.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { suiteBinary } from '../support/binaries.js';
import { startCaddy } from '../support/caddy.js';
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

const caddy = await suiteBinary('caddy');

describe('Caddy forward_auth (Caddyfile) with authfort', { skip: caddy.skip }, () => {
  const cleanup = new Cleanup();
  let stack: Stack;
  let proxy: ProxyHandle;

  /** Caddy on the Caddyfile, asking `httpPort`, in front of the stack's upstream. */
  function caddyFor(httpPort: number): Promise<ProxyHandle> {
    return startCaddy({
      binary: caddy.path(),
      values: { AUTHFORT_HTTP_PORT: httpPort, UPSTREAM_PORT: stack.upstream.port },
    });
  }

  before(async () => {
    stack = await startStack(cleanup);
    proxy = await caddyFor(stack.service.ports.http);
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
    // Caddy 2.6 would put the placeholder's own text in x-user-email; the Caddyfile drops it.
    assertIdentity(received()[0]?.headers, { id: 'user-2', email: undefined, roles: 'user' });
  });

  test('passes 401 on with exactly one WWW-Authenticate and the reason', async () => {
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

  test('/admin asks for the admin role: 403 with the challenge for a user', async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    // Caddy's path matcher cleans the path and ignores case: all of these are /admin.
    for (const path of ['/admin', '/admin/users', '/%61dmin/users', '//admin/users', '/ADMIN']) {
      const reply = await send(`${proxy.url}${path}`, bearer(stack.tokens.user));

      assert.equal(reply.status, 403, `${path}\n${proxy.logs()}`);
      assert.equal(reply.challenges.length, 1, path);
      assert.match(reply.challenges[0] ?? '', INSUFFICIENT_SCOPE_CHALLENGE);
    }
    assert.equal(received().length, 0);

    const reply = await send(`${proxy.url}/admin/users`, bearer(stack.tokens.admin));

    assert.equal(reply.status, 200, proxy.logs());
    assertIdentity(received()[0]?.headers, {
      id: 'admin-1',
      email: 'grace@example.com',
      roles: 'admin,user',
    });
  });

  test('hands authfort the original URI (X-Forwarded-Uri) for its YAML rules', async () => {
    const received = upstreamRequestsFrom(stack.upstream);

    // The check is always GET /auth; only X-Forwarded-Uri tells authfort this is /reports.
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

    // Read as policy, roles=nobody would deny (403) and introspect=true would fail (503). A
    // forward_auth uri without a "?" of its own would hand /auth the client's query string.
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

  // forward_auth is a reverse_proxy: an auth endpoint it cannot reach is its 502.
  test('answers 502 when authfort is unreachable', async (t) => {
    const unreachable = await caddyFor(await freePort());
    t.after(() => unreachable.close());
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${unreachable.url}/orders`, bearer(stack.tokens.user));

    assert.equal(reply.status, 502, unreachable.logs());
    assert.equal(received().length, 0);
  });

  test("passes authfort's 503 on when it has no key set", async (t) => {
    const local = new Cleanup();
    t.after(() => local.run());
    const authfort = await startAuthfort(local, { key: stack.key, jwksStatus: 500 });
    const proxied = await caddyFor(authfort.service.ports.http);
    local.defer(() => proxied.close());
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${proxied.url}/orders`, bearer(stack.tokens.user));

    assert.equal(reply.status, 503, proxied.logs());
    assert.deepEqual(reply.challenges, []);
    assert.equal(received().length, 0);
  });
});
