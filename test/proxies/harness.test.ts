// Smoke tests of the proxy harness and the shipped deploy configs, run with the real programs.
// The authorization endpoint here is a stand-in that answers whatever a test sets: these tests
// check how each proxy is wired to authfort, not authfort itself.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test, type TestContext } from 'node:test';

import { type ProxyProgram, requireBinary } from '../support/binaries.js';
import { startCaddy } from '../support/caddy.js';
import { type EchoUpstream, startEchoUpstream } from '../support/echo-upstream.js';
import { startEnvoy, validateEnvoyTemplate } from '../support/envoy.js';
import { startNginx } from '../support/nginx.js';
import { freePort } from '../support/ports.js';
import type { ProxyHandle, TemplateValues } from '../support/proxies.js';

const CHALLENGE = 'Bearer realm="x"';
const SCOPE_CHALLENGE = 'Bearer realm="x", error="insufficient_scope"';
const SPOOFED = {
  'x-user-id': 'evil',
  'x-user-email': 'evil@example.com',
  'x-user-roles': 'admin',
};

describe('envoy harness (deploy/envoy)', () => {
  test('both shipped templates pass envoy --mode validate', async (t) => {
    const envoy = await requireBinary(t, 'envoy');
    if (envoy === undefined) return;

    for (const template of ['envoy.yaml', 'envoy-http.yaml'] as const) {
      const { ok, output } = await validateEnvoyTemplate(envoy, template);
      assert.ok(ok, `${template}:\n${output}`);
      assert.doesNotMatch(output, /deprecated/i, `${template} uses a deprecated field`);
    }
  });

  test('envoy.yaml serves /public/ without ext_authz and fails closed elsewhere', async (t) => {
    const envoy = await requireBinary(t, 'envoy');
    if (envoy === undefined) return;
    const upstream = await echoUpstream(t);
    // Nothing listens on this port: every check fails as if authfort were down.
    const unreachable = await freePort();
    const proxy = await started(
      t,
      startEnvoy({
        binary: envoy,
        template: 'envoy.yaml',
        values: { AUTHFORT_GRPC_PORT: unreachable, UPSTREAM_PORT: upstream.port },
      }),
    );

    const open = await get(`${proxy.url}/public/page`, SPOOFED);
    assert.equal(open.status, 200, proxy.logs());
    assert.equal(upstream.requests.length, 1);
    assert.equal(upstream.requests[0]?.url, '/public/page');
    assertNoIdentity(upstream.requests[0]?.headers);

    const guarded = await get(`${proxy.url}/orders`);
    assert.equal(guarded.status, 503);
    assert.equal(upstream.requests.length, 1);
  });

  test("envoy-http.yaml copies a stand-in's identity and passes its 401/403 on", async (t) => {
    const envoy = await requireBinary(t, 'envoy');
    if (envoy === undefined) return;
    const { auth, upstream } = await backends(t);
    const proxy = await started(
      t,
      startEnvoy({
        binary: envoy,
        template: 'envoy-http.yaml',
        values: { AUTHFORT_HTTP_PORT: auth.port, UPSTREAM_PORT: upstream.port },
      }),
    );

    await assertAllowCopiesOnlyAuthIdentity(proxy, auth, upstream);
    assert.equal(auth.requests[0]?.url, '/auth/orders/7?x=1');
    assert.equal(auth.requests[0]?.headers.authorization, 'Bearer t');

    await assertDenialsPassThrough(proxy, auth, upstream);
  });
});

interface ForwardAuthProxy {
  program: ProxyProgram;
  config: string;
  /** Header that carries the original URI to the auth endpoint. */
  uriHeader: string;
  start(binary: string, values: TemplateValues): Promise<ProxyHandle>;
}

const FORWARD_AUTH_PROXIES: ForwardAuthProxy[] = [
  {
    program: 'nginx',
    config: 'deploy/nginx/authfort.conf',
    uriHeader: 'x-original-uri',
    start: (binary, values) => startNginx({ binary, values }),
  },
  {
    program: 'caddy',
    config: 'deploy/caddy/Caddyfile',
    uriHeader: 'x-forwarded-uri',
    start: (binary, values) => startCaddy({ binary, values }),
  },
];

for (const { program, config, uriHeader, start } of FORWARD_AUTH_PROXIES) {
  describe(`${program} harness (${config}) with a stand-in auth endpoint`, () => {
    async function stack(t: TestContext) {
      const binary = await requireBinary(t, program);
      if (binary === undefined) return undefined;
      const { auth, upstream } = await backends(t);
      const values = { AUTHFORT_HTTP_PORT: auth.port, UPSTREAM_PORT: upstream.port };
      const proxy = await started(t, start(binary, values));
      return { auth, upstream, proxy };
    }

    test('a 2xx answer lets the request through with only the answer identity', async (t) => {
      const s = await stack(t);
      if (s === undefined) return;

      await assertAllowCopiesOnlyAuthIdentity(s.proxy, s.auth, s.upstream);
      const check = s.auth.requests[0];
      assert.equal(check?.method, 'GET');
      // The query string of /auth is route policy: the client's own must never land there.
      assert.equal(check?.url, '/auth');
      assert.equal(check?.headers[uriHeader], '/orders/7?x=1');
      assert.equal(check?.headers.authorization, 'Bearer t');
    });

    test('401 and 403 reach the client with exactly one WWW-Authenticate', async (t) => {
      const s = await stack(t);
      if (s === undefined) return;

      await assertDenialsPassThrough(s.proxy, s.auth, s.upstream);
    });

    test('/admin asks /auth?roles=admin and /public/ skips the auth endpoint', async (t) => {
      const s = await stack(t);
      if (s === undefined) return;

      for (const path of ['/admin', '/admin/users', '/%61dmin/users']) {
        assert.equal((await get(`${s.proxy.url}${path}`)).status, 200, s.proxy.logs());
      }
      assert.deepEqual(
        s.auth.requests.map((r) => r.url),
        ['/auth?roles=admin', '/auth?roles=admin', '/auth?roles=admin'],
      );

      const open = await get(`${s.proxy.url}/public/page`, SPOOFED);
      assert.equal(open.status, 200);
      assert.equal(s.auth.requests.length, 3);
      assertNoIdentity(s.upstream.requests.at(-1)?.headers);
    });
  });
}

/**
 * The stand-in allows with `x-user-id: u1` and no other identity header; the client sends all
 * three of its own. Only u1 may reach the upstream.
 */
async function assertAllowCopiesOnlyAuthIdentity(
  proxy: ProxyHandle,
  auth: StandInAuth,
  upstream: EchoUpstream,
): Promise<void> {
  auth.answer = { status: 200, headers: { 'x-user-id': 'u1' } };

  const res = await get(`${proxy.url}/orders/7?x=1`, { ...SPOOFED, authorization: 'Bearer t' });

  assert.equal(res.status, 200, proxy.logs());
  assert.equal(auth.requests.length, 1);
  assert.equal(upstream.requests.length, 1);
  const seen = upstream.requests[0]?.headers;
  assert.equal(seen?.['x-user-id'], 'u1');
  assert.equal(seen?.['x-user-email'], undefined);
  assert.equal(seen?.['x-user-roles'], undefined);
}

async function assertDenialsPassThrough(
  proxy: ProxyHandle,
  auth: StandInAuth,
  upstream: EchoUpstream,
): Promise<void> {
  const forwarded = upstream.requests.length;
  for (const [status, challenge] of [
    [401, CHALLENGE],
    [403, SCOPE_CHALLENGE],
  ] as const) {
    auth.answer = { status, headers: { 'www-authenticate': challenge } };

    const res = await get(`${proxy.url}/orders`);

    assert.equal(res.status, status, proxy.logs());
    assert.deepEqual(res.challenges, [challenge]);
  }
  assert.equal(upstream.requests.length, forwarded);
}

function assertNoIdentity(headers: http.IncomingHttpHeaders | undefined): void {
  assert.ok(headers);
  for (const name of Object.keys(SPOOFED)) assert.equal(headers[name], undefined, name);
}

// --- stand-ins and plumbing ---------------------------------------------------------------

interface StandInAuth {
  port: number;
  /** What the next checks answer. */
  answer: { status: number; headers: Record<string, string> };
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
}

async function backends(t: TestContext): Promise<{ auth: StandInAuth; upstream: EchoUpstream }> {
  return { auth: await standInAuth(t), upstream: await echoUpstream(t) };
}

async function echoUpstream(t: TestContext): Promise<EchoUpstream> {
  const upstream = await startEchoUpstream();
  t.after(() => upstream.close());
  return upstream;
}

async function standInAuth(t: TestContext): Promise<StandInAuth> {
  const auth: Omit<StandInAuth, 'port'> = { answer: { status: 200, headers: {} }, requests: [] };
  const server = http.createServer((req, res) => {
    // Like authfort, it is ready: Envoy's health check of /readyz is not an auth request.
    if (req.url === '/readyz') return void res.writeHead(200).end();
    auth.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    res.writeHead(auth.answer.status, auth.answer.headers).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return Object.assign(auth, { port: (server.address() as AddressInfo).port });
}

/** Registers cleanup as soon as the proxy is up, so a failing assertion never leaks it. */
async function started<T extends ProxyHandle>(t: TestContext, launch: Promise<T>): Promise<T> {
  const proxy = await launch;
  t.after(() => proxy.close());
  return proxy;
}

interface Answer {
  status: number;
  /** Every WWW-Authenticate field of the response, in order. */
  challenges: string[];
}

// node:http rather than fetch: one connection per request, nothing kept alive past the test.
function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          challenges: fieldValues(res.rawHeaders, 'www-authenticate'),
        }),
      );
    });
    req.once('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.once('error', reject);
  });
}

function fieldValues(rawHeaders: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === name) values.push(rawHeaders[i + 1] as string);
  }
  return values;
}
