/**
 * What every proxy in front of authfort must do, written once and registered per proxy from a
 * {@link ProxyUnderTest}: the few ways the proxies are allowed to differ are its fields. A proxy
 * file calls {@link describeProxy} and adds only the tests that concern that proxy alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { RunningService } from '../../src/server/service.js';
import type { EchoUpstream, RecordedRequest } from '../support/echo-upstream.js';
import { freePort } from '../support/ports.js';
import type { ProxyHandle } from '../support/proxies.js';
import {
  assertIdentity,
  type Authfort,
  bearer,
  Cleanup,
  INSUFFICIENT_SCOPE_CHALLENGE,
  type Identity,
  INVALID_TOKEN_CHALLENGE,
  MISSING_TOKEN_CHALLENGE,
  type Reply,
  REPORTS_SPELLINGS,
  send,
  SPOOFED,
  type Stack,
  startAuthfort,
  startStack,
  upstreamRequestsFrom,
} from './fixture.js';

/** Where a proxy under test asks authfort, and where it sends what authfort allows. */
export interface ProxyTarget {
  /** The port of authfort the proxy asks, as {@link ProxyUnderTest.authfortPort} picks it. */
  authfortPort: number;
  upstreamPort: number;
  /**
   * Take out the proxy's health check of authfort, so that it asks an authfort that is not
   * ready and the client sees authfort's own answer. Nothing to take out for most proxies.
   */
  unchecked?: boolean;
}

/** A proxy, and how it may differ from the others. */
export interface ProxyUnderTest {
  /** The suite's title: the proxy, its mechanism and the shipped config. */
  title: string;
  /** The `skip` option of the suite (the proxy's binary is missing), or false. */
  skip: string | false;
  /** The port of authfort the proxy asks: gRPC or HTTP. */
  authfortPort(ports: RunningService['ports']): number;
  /** Starts the proxy on its shipped config, in front of `target`. */
  start(target: ProxyTarget): Promise<ProxyHandle>;
  /** How the proxy tells authfort which path the client asked for, for a test name. */
  pathCarrier: string;
  /** Whether the config has an /admin route that asks for the admin role. */
  adminRoute: boolean;
  /**
   * The Content-Type with which a client gets authfort's JSON body on a 401 or 403; absent when
   * the proxy answers with a page of its own instead.
   */
  denialBodyType?: string;
  /** What the proxy does with a `%2F` in the path: authfort sees it, or the proxy redirects. */
  escapedSlash: 'checked' | 'redirected';
  /** The status a client gets when authfort cannot be reached. */
  statusWhenUnreachable: number;
  /** The status a client gets when authfort, asked anyway, has no key set (its own is 503). */
  statusWithoutKeySet: number;
}

/** The running stack and proxy of a suite, for tests that only one proxy has. */
export interface ProxySuite {
  /** Started in `before()`: read it inside a test. */
  readonly stack: Stack;
  /** Started in `before()`: read it inside a test. */
  readonly proxy: ProxyHandle;
}

/**
 * A suite for the proxy `about` describes: starts the stack and the proxy once, registers every
 * shared scenario, then the proxy's own tests from `specific`.
 */
export function describeProxy(
  about: ProxyUnderTest,
  specific: (suite: ProxySuite) => void = () => undefined,
): void {
  describe(about.title, { skip: about.skip }, () => {
    const cleanup = new Cleanup();
    let stack: Stack;
    let proxy: ProxyHandle;
    const suite: ProxySuite = {
      get stack() {
        return stack;
      },
      get proxy() {
        return proxy;
      },
    };

    before(async () => {
      stack = await startStack(cleanup);
      proxy = await about.start(targetOf(about, stack, stack.upstream));
      cleanup.defer(() => proxy.close());
    });
    after(() => cleanup.run());

    for (const scenario of SCENARIOS) scenario(about, suite);
    specific(suite);
  });
}

/** Registers one shared test, or none when it does not apply to the proxy. */
type Scenario = (about: ProxyUnderTest, suite: ProxySuite) => void;

const allowsAValidToken: Scenario = (_, suite) =>
  test('allows a valid token and hands the upstream the identity from its claims', async () => {
    const { stack, proxy } = suite;
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${proxy.url}/orders/7?page=2`, bearer(stack.tokens.user));

    assertForwarded(proxy, reply, received(), '/orders/7?page=2', {
      id: 'user-1',
      email: 'ada@example.com',
      roles: 'user',
    });
  });

const replacesSpoofedIdentity: Scenario = (_, suite) =>
  test('replaces client-sent identity headers, also for a claim the token lacks', async () => {
    const { stack, proxy } = suite;
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${proxy.url}/orders`, {
      ...SPOOFED,
      ...bearer(stack.tokens.noEmail),
    });

    const identity = { id: 'user-2', email: undefined, roles: 'user' };
    assertForwarded(proxy, reply, received(), '/orders', identity);
  });

const challengesAMissingToken: Scenario = (about, suite) =>
  test(`answers a request without a token 401 with a bare challenge${reason(about)}`, async () => {
    const { stack, proxy } = suite;
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${proxy.url}/orders`, SPOOFED);

    assertDenied(about, proxy, reply, {
      status: 401,
      challenge: MISSING_TOKEN_CHALLENGE,
      code: 'ERR_TOKEN_MISSING',
    });
    assert.equal(received().length, 0);
  });

const challengesAnInvalidToken: Scenario = (about, suite) =>
  test(`answers an expired or a garbage token 401 invalid_token${reason(about)}`, async () => {
    const { stack, proxy } = suite;
    const received = upstreamRequestsFrom(stack.upstream);

    for (const [token, code] of [
      [stack.tokens.expired, 'ERR_TOKEN_EXPIRED'],
      [stack.tokens.garbage, 'ERR_TOKEN_MALFORMED'],
    ] as const) {
      const reply = await send(`${proxy.url}/orders`, bearer(token));

      assertDenied(about, proxy, reply, { status: 401, challenge: INVALID_TOKEN_CHALLENGE, code });
    }
    assert.equal(received().length, 0);
  });

/** Ways to write /admin that an /admin route must catch: escaped, doubled slash, other case. */
const ADMIN_SPELLINGS = [
  '/admin',
  '/admin/users',
  '/%61dmin/users',
  '//admin',
  '//admin/users',
  '/ADMIN',
  '/ADMIN/users',
];

/** A user without the role a route asks for. */
const FORBIDDEN: Denial = {
  status: 403,
  challenge: INSUFFICIENT_SCOPE_CHALLENGE,
  code: 'ERR_ROLE_MISSING',
};

const enforcesTheAdminRoute: Scenario = (about, suite) => {
  if (!about.adminRoute) return;

  const name =
    '/admin asks for the admin role: 403 with the challenge for a user, 200 for an admin';
  test(name, async () => {
    const { stack, proxy } = suite;
    const received = upstreamRequestsFrom(stack.upstream);

    for (const path of ADMIN_SPELLINGS) {
      const reply = await send(`${proxy.url}${path}`, bearer(stack.tokens.user));

      assertDenied(about, proxy, reply, FORBIDDEN, path);
    }
    assert.equal(received().length, 0);

    const reply = await send(`${proxy.url}/admin/users`, bearer(stack.tokens.admin));

    assertForwarded(proxy, reply, received(), '/admin/users', {
      id: 'admin-1',
      email: 'grace@example.com',
      roles: 'admin,user',
    });
  });
};

const matchesYamlRulesOnTheOriginalPath: Scenario = (about, suite) =>
  test(`hands authfort the original path (${about.pathCarrier}) for its YAML rules`, async () => {
    const { stack, proxy } = suite;
    const received = upstreamRequestsFrom(stack.upstream);

    // The proxies never mention /reports: only the path they hand over lets authfort apply the
    // /reports/** rule, whatever spelling and query string the client sent.
    for (const path of REPORTS_SPELLINGS) {
      const denied = await send(`${proxy.url}${path}?x=1`, bearer(stack.tokens.user));

      assertDenied(about, proxy, denied, FORBIDDEN, path);
    }
    const escaped = await send(`${proxy.url}/reports%2Fq1?x=1`, bearer(stack.tokens.user));
    if (about.escapedSlash === 'checked') {
      assertDenied(about, proxy, escaped, FORBIDDEN, '/reports%2Fq1');
    } else {
      assert.equal(escaped.status, 307, proxy.logs());
      assert.equal(escaped.headers.location, '/reports/q1?x=1');
    }
    assert.equal(received().length, 0);

    const allowed = await send(`${proxy.url}/reports/q1?x=1`, bearer(stack.tokens.auditor));

    assertForwarded(proxy, allowed, received(), '/reports/q1?x=1', {
      id: 'auditor-1',
      email: 'audit@example.com',
      roles: 'auditor',
    });
  });

const takesNoPolicyFromTheQuery: Scenario = (about, suite) =>
  test("takes no route policy from the client's query string", async () => {
    const { stack, proxy } = suite;
    const received = upstreamRequestsFrom(stack.upstream);

    // Read as policy, roles=nobody would deny (403) and introspect=true would fail (no
    // introspection endpoint is configured).
    const open = await send(
      `${proxy.url}/orders?roles=nobody&introspect=true`,
      bearer(stack.tokens.user),
    );

    assertForwarded(proxy, open, received(), '/orders?roles=nobody&introspect=true', {
      id: 'user-1',
      email: 'ada@example.com',
      roles: 'user',
    });
    if (!about.adminRoute) return;

    // Nor can a client's query string weaken /admin's policy.
    const admin = await send(`${proxy.url}/admin/users?roles=user`, bearer(stack.tokens.user));

    assert.equal(admin.status, 403, proxy.logs());
    assert.equal(received().length, 1);
  });

const servesPublicWithoutIdentity: Scenario = (_, suite) =>
  test('serves /public/ without a token and without client identity headers', async () => {
    const { stack, proxy } = suite;
    const received = upstreamRequestsFrom(stack.upstream);

    const reply = await send(`${proxy.url}/public/page`, SPOOFED);

    const identity = { id: undefined, email: undefined, roles: undefined };
    assertForwarded(proxy, reply, received(), '/public/page', identity);
  });

const failsClosedWhenUnreachable: Scenario = (about, suite) => {
  const status = about.statusWhenUnreachable;
  const name = `answers ${status} when authfort is unreachable, from the start or once stopped`;
  test(name, async (t) => {
    const { stack } = suite;
    const local = new Cleanup();
    t.after(() => local.run());
    const received = upstreamRequestsFrom(stack.upstream);

    const nobody = await about.start({
      authfortPort: await freePort(),
      upstreamPort: stack.upstream.port,
    });
    local.defer(() => nobody.close());
    const refused = await send(`${nobody.url}/orders`, bearer(stack.tokens.user));
    assert.equal(refused.status, status, nobody.logs());
    assert.equal(received().length, 0);

    const authfort = await startAuthfort(local, { key: stack.key });
    const proxied = await about.start(targetOf(about, authfort, stack.upstream));
    local.defer(() => proxied.close());
    const up = await send(`${proxied.url}/orders`, bearer(stack.tokens.user));
    assert.equal(up.status, 200, proxied.logs());
    await authfort.stop();
    const down = await send(`${proxied.url}/orders`, bearer(stack.tokens.user));

    assert.equal(down.status, status, proxied.logs());
    assert.equal(received().length, 1);
  });
};

const failsClosedWithoutAKeySet: Scenario = (about, suite) =>
  test(`answers ${about.statusWithoutKeySet} when authfort has no key set`, async (t) => {
    const { stack } = suite;
    const local = new Cleanup();
    t.after(() => local.run());
    const authfort = await startAuthfort(local, { key: stack.key, jwksStatus: 500 });
    // A proxy that health-checks authfort never asks it before it is ready (envoy-health.test.ts).
    // Take the check out to see what the proxy makes of authfort's own answer.
    const proxied = await about.start({
      ...targetOf(about, authfort, stack.upstream),
      unchecked: true,
    });
    local.defer(() => proxied.close());
    const received = upstreamRequestsFrom(stack.upstream);

    for (const [path, token] of [
      ['/orders', stack.tokens.user],
      ['/admin/users', stack.tokens.admin],
    ] as const) {
      const reply = await send(`${proxied.url}${path}`, bearer(token));

      assert.equal(reply.status, about.statusWithoutKeySet, `${path}\n${proxied.logs()}`);
      assert.deepEqual(reply.challenges, [], path);
    }
    assert.equal(received().length, 0);
    assert.equal(authfort.service.isReady(), false);
    assert.ok(authfort.issuer.requestCount(authfort.issuer.jwksPath) >= 1);
  });

const SCENARIOS: readonly Scenario[] = [
  allowsAValidToken,
  replacesSpoofedIdentity,
  challengesAMissingToken,
  challengesAnInvalidToken,
  enforcesTheAdminRoute,
  matchesYamlRulesOnTheOriginalPath,
  takesNoPolicyFromTheQuery,
  servesPublicWithoutIdentity,
  failsClosedWhenUnreachable,
  failsClosedWithoutAKeySet,
];

/** Where a proxy for `about` asks `authfort`, in front of `upstream`. */
function targetOf(about: ProxyUnderTest, authfort: Authfort, upstream: EchoUpstream): ProxyTarget {
  return { authfortPort: about.authfortPort(authfort.service.ports), upstreamPort: upstream.port };
}

/**
 * Asserts `reply` is a 200 without a challenge, and that it is the one request `forwarded` holds:
 * to `url`, with `identity`.
 */
function assertForwarded(
  proxy: ProxyHandle,
  reply: Reply,
  forwarded: readonly RecordedRequest[],
  url: string,
  identity: Identity,
): void {
  assert.equal(reply.status, 200, proxy.logs());
  assert.deepEqual(reply.challenges, []);
  assert.equal(forwarded.length, 1);
  assert.equal(forwarded[0]?.url, url);
  assertIdentity(forwarded[0]?.headers, identity);
}

/** A denial as the client must see it. */
interface Denial {
  status: number;
  /** The only `WWW-Authenticate` field: exactly this, or matching this. */
  challenge: string | RegExp;
  /** authfort's reason, asserted where the proxy relays authfort's body. */
  code: string;
}

/**
 * Asserts `reply` is the denial `want`, with exactly one challenge, and authfort's JSON naming
 * the reason where the proxy relays it. `path` names the request in messages.
 */
function assertDenied(
  about: ProxyUnderTest,
  proxy: ProxyHandle,
  reply: Reply,
  want: Denial,
  path = '',
): void {
  assert.equal(reply.status, want.status, `${path}\n${proxy.logs()}`);
  assert.equal(reply.challenges.length, 1, path);
  if (typeof want.challenge === 'string') assert.equal(reply.challenges[0], want.challenge, path);
  else assert.match(reply.challenges[0] ?? '', want.challenge, path);
  if (about.denialBodyType === undefined) return;

  assert.equal(reply.headers['content-type'], about.denialBodyType, path);
  assert.deepEqual(JSON.parse(reply.body), { error: want.code }, path);
}

/** The end of a denial test's name: whether it asserts authfort's reason too. */
function reason(about: ProxyUnderTest): string {
  return about.denialBodyType === undefined ? '' : ' and the reason';
}
