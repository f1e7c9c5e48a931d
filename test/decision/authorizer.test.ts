/**
 * The decision core, with stand-in verifiers and introspectors: the order of the checks, the
 * strictest-wins merge of route policies, and that a failure is always a denial.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  Authorizer,
  type CheckInput,
  type IntrospectionVerdict,
  type Introspector,
  type TokenChecker,
} from '../../src/decision/authorizer.js';
import type { Decision } from '../../src/decision/decision.js';
import { AuthFortError } from '../../src/errors.js';
import type { VerifiedUser } from '../../src/jwt/claims.js';
import { routePolicy, RouteTable } from '../../src/policy/index.js';

function userWith(roles: readonly string[]): VerifiedUser {
  return { sub: 'user-1', roles, issuer: 'authfort', expiresAt: 0, claims: {} };
}

/** A verifier that answers with `user` (or runs `answer`) and counts its calls. */
function verifier(answer: VerifiedUser | ((token: string) => Promise<VerifiedUser>)) {
  const calls: string[] = [];
  const checker: TokenChecker = {
    verifyToken(token) {
      calls.push(token);
      return typeof answer === 'function' ? answer(token) : Promise.resolve(answer);
    },
  };
  return { checker, calls };
}

/** An introspector that answers `answer` (or runs it) and counts its calls. */
function introspector(
  answer: boolean | IntrospectionVerdict | (() => Promise<IntrospectionVerdict>),
) {
  const calls: string[] = [];
  const client: Introspector = {
    introspect(token) {
      calls.push(token);
      if (typeof answer === 'function') return answer();
      return Promise.resolve(typeof answer === 'boolean' ? { active: answer } : answer);
    },
  };
  return { client, calls };
}

function input(overrides: Partial<CheckInput> = {}): CheckInput {
  return { token: 'tok', targets: [{ method: 'GET', path: '/orders/1' }], ...overrides };
}

function codeOf(decision: Decision): string {
  return decision.allowed ? 'OK' : decision.code;
}

describe('Authorizer.check', () => {
  it('denies (500) when rules exist but the proxy named no target, not skip them', async () => {
    const routes = new RouteTable([{ path: '/admin/**', roles: ['admin'] }]);
    const authorizer = new Authorizer({ verifier: verifier(userWith([])).checker, routes });

    const decision = await authorizer.check(input({ targets: [] }));
    assert.equal(codeOf(decision), 'ERR_CONFIG_INVALID');
    assert.equal(decision.allowed ? undefined : decision.error.key, 'X-Original-URI');

    const open = new Authorizer({ verifier: verifier(userWith([])).checker });
    assert.equal((await open.check(input({ targets: [] }))).allowed, true);
  });

  it('allows a verified token on an open route, with its user', async () => {
    const user = userWith(['user']);
    const authorizer = new Authorizer({ verifier: verifier(user).checker });

    const decision = await authorizer.check(input());

    assert.ok(decision.allowed);
    assert.equal(decision.user, user);
  });

  it('denies a request without a token, without calling the verifier', async () => {
    const { checker, calls } = verifier(userWith([]));
    const authorizer = new Authorizer({ verifier: checker });

    assert.equal(codeOf(await authorizer.check(input({ token: undefined }))), 'ERR_TOKEN_MISSING');
    assert.equal(calls.length, 0);
  });

  it('denies with the adapter’s input error before anything else', async () => {
    const { checker, calls } = verifier(userWith([]));
    const authorizer = new Authorizer({ verifier: checker });
    const inputError = new AuthFortError('ERR_CONFIG_INVALID', undefined, { key: 'query.x' });

    const decision = await authorizer.check(input({ inputError }));

    assert.equal(codeOf(decision), 'ERR_CONFIG_INVALID');
    assert.ok(!decision.allowed && decision.error === inputError);
    assert.equal(calls.length, 0);
  });

  it('keeps the code of a verifier’s AuthFortError', async () => {
    for (const code of ['ERR_TOKEN_EXPIRED', 'ERR_JWKS_UNAVAILABLE'] as const) {
      const authorizer = new Authorizer({
        verifier: verifier(() => Promise.reject(new AuthFortError(code))).checker,
      });
      assert.equal(codeOf(await authorizer.check(input())), code);
    }
  });

  it('never throws: a plain Error from the verifier is an ERR_INTERNAL denial', async () => {
    const cause = new Error('database on fire');
    const rejecting = new Authorizer({ verifier: verifier(() => Promise.reject(cause)).checker });
    const throwing = new Authorizer({
      verifier: {
        verifyToken() {
          throw cause;
        },
      },
    });

    for (const authorizer of [rejecting, throwing]) {
      const decision = await authorizer.check(input());
      assert.equal(codeOf(decision), 'ERR_INTERNAL');
      assert.ok(!decision.allowed && decision.error.cause === cause);
    }
  });

  it('never throws on a non-Error rejection either', async () => {
    const authorizer = new Authorizer({
      verifier: verifier(() => Promise.reject('a string')).checker,
    });
    assert.equal(codeOf(await authorizer.check(input())), 'ERR_INTERNAL');
  });

  it('requires one role of each any-of set', async () => {
    const policy = routePolicy(['admin', 'owner']);
    const check = (roles: string[]) =>
      new Authorizer({ verifier: verifier(userWith(roles)).checker }).check(input({ policy }));

    assert.equal(codeOf(await check(['user'])), 'ERR_ROLE_MISSING');
    assert.equal(codeOf(await check([])), 'ERR_ROLE_MISSING');
    assert.equal(codeOf(await check(['owner'])), 'OK');
    assert.equal(codeOf(await check(['user', 'admin'])), 'OK');
  });

  it('checks roles before introspection: a role failure never reaches the endpoint', async () => {
    const active = introspector(true);
    const authorizer = new Authorizer({
      verifier: verifier(userWith(['user'])).checker,
      introspector: active.client,
    });

    const decision = await authorizer.check(input({ policy: routePolicy(['admin'], true) }));

    assert.equal(codeOf(decision), 'ERR_ROLE_MISSING');
    assert.equal(active.calls.length, 0);
  });

  it('verifies before introspection: a refused token never reaches the endpoint', async () => {
    const active = introspector(true);
    const authorizer = new Authorizer({
      verifier: verifier(() => Promise.reject(new AuthFortError('ERR_TOKEN_EXPIRED'))).checker,
      introspector: active.client,
    });

    const decision = await authorizer.check(input({ policy: routePolicy([], true) }));

    assert.equal(codeOf(decision), 'ERR_TOKEN_EXPIRED');
    assert.equal(active.calls.length, 0);
  });

  it('introspects when asked: active allows, inactive is ERR_TOKEN_INACTIVE', async () => {
    const policy = routePolicy([], true);
    const active = introspector(true);
    const inactive = introspector(false);
    const user = userWith([]);

    const allowed = await new Authorizer({
      verifier: verifier(user).checker,
      introspector: active.client,
    }).check(input({ policy }));
    const denied = await new Authorizer({
      verifier: verifier(user).checker,
      introspector: inactive.client,
    }).check(input({ policy }));

    assert.equal(codeOf(allowed), 'OK');
    assert.equal(codeOf(denied), 'ERR_TOKEN_INACTIVE');
    assert.deepEqual(active.calls, ['tok']);
  });

  it('on introspected routes, the roles the server reports now must meet the policy', async () => {
    const policy = routePolicy(['admin'], true);
    const check = (verdict: IntrospectionVerdict) =>
      new Authorizer({
        verifier: verifier(userWith(['admin', 'user'])).checker,
        introspector: introspector(verdict).client,
      }).check(input({ policy }));

    // Demoted since the token was issued: the token still says admin, the auth server does not.
    assert.equal(codeOf(await check({ active: true, roles: ['user'] })), 'ERR_ROLE_MISSING');

    const allowed = await check({ active: true, sub: 'user-1', roles: ['admin'] });
    assert.equal(codeOf(allowed), 'OK');
    assert.deepEqual(allowed.allowed && allowed.user.roles, ['admin'], 'the current roles pass on');

    // A server that says nothing of roles leaves the token's.
    const silent = await check({ active: true });
    assert.deepEqual(silent.allowed && silent.user.roles, ['admin', 'user']);
  });

  it('treats an answer for another subject as inactive', async () => {
    const decision = await new Authorizer({
      verifier: verifier(userWith([])).checker,
      introspector: introspector({ active: true, sub: 'someone-else' }).client,
    }).check(input({ policy: routePolicy([], true) }));

    assert.equal(codeOf(decision), 'ERR_TOKEN_INACTIVE');
  });

  it('never introspects a route that does not ask for it', async () => {
    const active = introspector(true);
    const authorizer = new Authorizer({
      verifier: verifier(userWith([])).checker,
      introspector: active.client,
    });

    assert.equal(codeOf(await authorizer.check(input())), 'OK');
    assert.equal(active.calls.length, 0);
  });

  it('never downgrades an introspection route to JWKS-only without an endpoint', async () => {
    const authorizer = new Authorizer({ verifier: verifier(userWith([])).checker });

    const decision = await authorizer.check(input({ policy: routePolicy([], true) }));

    assert.equal(codeOf(decision), 'ERR_INTROSPECTION_NOT_CONFIGURED');
  });

  it('denies, never allows, when introspection fails', async () => {
    const failures = [
      () => Promise.reject(new AuthFortError('ERR_INTROSPECTION_UNAVAILABLE')),
      () => Promise.reject(new TypeError('fetch failed')),
    ];
    const expected = ['ERR_INTROSPECTION_UNAVAILABLE', 'ERR_INTERNAL'];
    for (const [index, failure] of failures.entries()) {
      const authorizer = new Authorizer({
        verifier: verifier(userWith([])).checker,
        introspector: introspector(failure).client,
      });
      const decision = await authorizer.check(input({ policy: routePolicy([], true) }));
      assert.equal(codeOf(decision), expected[index]);
    }
  });

  it('applies a route rule matched on method and path', async () => {
    const routes = new RouteTable([
      { path: '/admin/**', roles: ['admin'] },
      { path: '/orders/*', methods: ['DELETE'], roles: ['billing'] },
    ]);
    const check = (method: string, path: string) =>
      new Authorizer({ verifier: verifier(userWith(['user'])).checker, routes }).check(
        input({ targets: [{ method, path }] }),
      );

    assert.equal(codeOf(await check('GET', '/admin/x')), 'ERR_ROLE_MISSING');
    assert.equal(codeOf(await check('GET', '/orders/1')), 'OK');
    assert.equal(codeOf(await check('DELETE', '/orders/1')), 'ERR_ROLE_MISSING');
    assert.equal(codeOf(await check('GET', '/elsewhere')), 'OK');
  });

  it('applies the strictest policy over several targets and the request policy', async () => {
    const routes = new RouteTable([
      { path: '/public/**' },
      { path: '/admin/**', roles: ['admin'] },
      { path: '/audit/**', introspect: true },
    ]);
    const targets = [
      { method: 'GET', path: '/public/x' },
      { method: 'GET', path: '/admin/x' },
    ];
    const check = (roles: string[], policy = routePolicy(['owner'])) =>
      new Authorizer({ verifier: verifier(userWith(roles)).checker, routes }).check(
        input({ targets, policy }),
      );

    assert.equal(codeOf(await check(['admin'])), 'ERR_ROLE_MISSING');
    assert.equal(codeOf(await check(['owner'])), 'ERR_ROLE_MISSING');
    assert.equal(codeOf(await check(['admin', 'owner'])), 'OK');

    const audit = await new Authorizer({ verifier: verifier(userWith([])).checker, routes }).check(
      input({ targets: [...targets.slice(0, 1), { method: 'GET', path: '/audit/1' }] }),
    );
    assert.equal(codeOf(audit), 'ERR_INTROSPECTION_NOT_CONFIGURED');
  });

  it('asks for a token before it looks at roles', async () => {
    const authorizer = new Authorizer({ verifier: verifier(userWith([])).checker });

    const decision = await authorizer.check(
      input({ token: undefined, policy: routePolicy(['admin'], true) }),
    );

    assert.equal(codeOf(decision), 'ERR_TOKEN_MISSING');
  });
});
