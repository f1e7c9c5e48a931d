/**
 * The HTTP port's routing and probes: `/healthz`, `/readyz`, the auth endpoints and 404s, with a
 * stand-in decision core so each answer is exactly what the core decided.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';

import type { Authorizer, CheckInput } from '../../src/decision/authorizer.js';
import { allow, deny, type Decision } from '../../src/decision/decision.js';
import { DEFAULT_IDENTITY_HEADERS } from '../../src/decision/identity.js';
import { DEFAULT_TOKEN_SOURCES } from '../../src/decision/token-source.js';
import { AuthFortError } from '../../src/errors.js';
import { createHttpServer, type DecisionObserver } from '../../src/http/server.js';
import { httpRequest, type TestContext } from '../support/service-harness.js';

const USER = { sub: 'user-1', roles: ['user'], issuer: 'authfort', expiresAt: 0, claims: {} };

interface Started {
  readonly port: number;
  readonly inputs: CheckInput[];
  readonly observed: [string, Decision][];
  ready: boolean;
}

async function serve(
  t: TestContext,
  decide: (input: CheckInput) => Promise<Decision> = () => Promise.resolve(allow(USER)),
): Promise<Started> {
  const inputs: CheckInput[] = [];
  const observed: [string, Decision][] = [];
  const state = { ready: false };
  const onDecision: DecisionObserver = (transport, decision) =>
    observed.push([transport, decision]);
  const authorizer = {
    check(input: CheckInput) {
      inputs.push(input);
      return decide(input);
    },
  } as unknown as Authorizer;
  const server = createHttpServer({
    authorizer,
    onDecision,
    readiness: { isReady: () => state.ready },
    realm: 'authfort',
    identityHeaders: DEFAULT_IDENTITY_HEADERS,
    tokenSources: DEFAULT_TOKEN_SOURCES,
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    inputs,
    observed,
    get ready() {
      return state.ready;
    },
    set ready(value: boolean) {
      state.ready = value;
    },
  };
}

describe('HTTP probes', () => {
  it('answers /healthz 200 whether or not the service is ready', async (t) => {
    const started = await serve(t);

    assert.equal((await httpRequest(started.port, '/healthz')).status, 200);
    started.ready = true;
    assert.equal((await httpRequest(started.port, '/healthz')).status, 200);
    assert.equal((await httpRequest(started.port, '/healthz', {}, 'HEAD')).status, 200);
  });

  it('answers /readyz 503 until ready, 200 while ready, 503 again when draining', async (t) => {
    const started = await serve(t);

    assert.equal((await httpRequest(started.port, '/readyz')).status, 503);
    started.ready = true;
    assert.equal((await httpRequest(started.port, '/readyz')).status, 200);
    assert.equal((await httpRequest(started.port, '/readyz?verbose=1')).status, 200);
    started.ready = false;
    const draining = await httpRequest(started.port, '/readyz');
    assert.equal(draining.status, 503);
    assert.equal(draining.headers['cache-control'], 'no-store');
  });

  it('answers 404 for paths that are not an endpoint, without asking the core', async (t) => {
    const started = await serve(t);

    for (const path of ['/', '/authx', '/authz/x', '/metrics', '/healthz/x', '/AUTH']) {
      assert.equal((await httpRequest(started.port, path)).status, 404, path);
    }
    assert.equal(started.inputs.length, 0);
  });
});

describe('HTTP auth endpoints', () => {
  it('asks the core for /auth and /auth/<path>, whatever the readiness', async (t) => {
    const started = await serve(t);

    assert.equal((await httpRequest(started.port, '/auth')).status, 200);
    assert.equal((await httpRequest(started.port, '/auth/orders/1', {}, 'DELETE')).status, 200);
    assert.deepEqual(started.inputs[1]?.targets, [{ method: 'DELETE', path: '/orders/1' }]);
    assert.equal(started.inputs[1]?.policy, undefined);
  });

  it('reports each decision to the observer as http', async (t) => {
    const started = await serve(t, () =>
      Promise.resolve(deny(new AuthFortError('ERR_TOKEN_EXPIRED'))),
    );

    await httpRequest(started.port, '/auth');

    assert.equal(started.observed.length, 1);
    assert.equal(started.observed[0]?.[0], 'http');
    assert.equal((started.observed[0]?.[1] as { code?: string }).code, 'ERR_TOKEN_EXPIRED');
  });

  it('denies with 500 ERR_INTERNAL, never allows, if the core itself throws', async (t) => {
    const started = await serve(t, () => Promise.reject(new Error('boom')));

    const answer = await httpRequest(started.port, '/auth', { authorization: 'Bearer x' });

    assert.equal(answer.status, 500);
    assert.deepEqual(JSON.parse(answer.body), { error: 'ERR_INTERNAL' });
    assert.equal(answer.headers['www-authenticate'], undefined);
    assert.equal(answer.headers['x-user-id'], undefined);
  });

  it('answers a dependency failure 503 without a challenge', async (t) => {
    const started = await serve(t, () =>
      Promise.resolve(deny(new AuthFortError('ERR_INTROSPECTION_UNAVAILABLE'))),
    );

    const answer = await httpRequest(started.port, '/auth');

    assert.equal(answer.status, 503);
    assert.equal(answer.headers['www-authenticate'], undefined);
    assert.deepEqual(JSON.parse(answer.body), { error: 'ERR_INTROSPECTION_UNAVAILABLE' });
  });

  it('passes the query policy only on the exact /auth endpoint', async (t) => {
    const started = await serve(t);

    await httpRequest(started.port, '/auth?roles=admin&introspect=true');
    await httpRequest(started.port, '/auth/x?roles=admin&introspect=true');

    assert.deepEqual(started.inputs[0]?.policy, { roleSets: [['admin']], introspect: true });
    assert.equal(started.inputs[1]?.policy, undefined);
    assert.deepEqual(started.inputs[1]?.targets, [
      { method: 'GET', path: '/x?roles=admin&introspect=true' },
    ]);
  });
});
