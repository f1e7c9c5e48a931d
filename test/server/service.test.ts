/**
 * One whole service from a configuration: its ports, readiness, draining, and what it tells
 * operators (log lines and metrics), never a token among them.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';

import { credentials } from '@grpc/grpc-js';
import { pino } from 'pino';

import { loadConfig } from '../../src/config/load.js';
import { startService } from '../../src/server/service.js';
import { OfficialAuthorizationClient } from '../support/envoy-protos.js';
import { IntrospectionServer } from '../support/introspection-server.js';
import { JwksServer } from '../support/jwks-server.js';
import {
  authFortClaims,
  generateSigningKey,
  nowSeconds,
  signToken,
  withTamperedPayload,
} from '../support/keys.js';
import {
  baseEnv,
  callCheck,
  capturingLogger,
  checkRequest,
  httpRequest,
  startHarness,
  INTROSPECTION_SECRET,
  introspectionEnv,
} from '../support/service-harness.js';

const key = await generateSigningKey();

interface LogLine {
  level: number;
  msg: string;
  code?: string;
  transport?: string;
  key?: string;
  [field: string]: unknown;
}

function parseLines(lines: readonly string[]): LogLine[] {
  return lines.map((line) => JSON.parse(line) as LogLine);
}

/** The value of one sample of `authfort_decisions_total`, or 0. */
function decisions(metrics: string, transport: string, decision: string, code: string): number {
  const labels = `transport="${transport}",decision="${decision}",code="${code}"`;
  const line = metrics.split('\n').find((l) => l.startsWith(`authfort_decisions_total{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('startService: ports and readiness', () => {
  it('binds every port on port 0 and is ready only once the key set loads', async (t) => {
    const issuer = await JwksServer.start({ keys: [key.publicJwk] });
    t.after(() => issuer.close());
    const held = issuer.holdKeySet();
    const svc = await startHarness(t, { key, issuer, waitReady: false });
    await held.asked;

    const { ports } = svc.service;
    assert.ok(ports.grpc > 0 && ports.http > 0 && (ports.metrics ?? 0) > 0);
    assert.equal(svc.service.isReady(), false);
    assert.equal((await svc.get('/readyz')).status, 503);
    assert.equal((await svc.get('/healthz')).status, 200);
    assert.match(await svc.metrics(), /^authfort_ready 0$/m);

    held.release();
    await svc.service.auth.ready;

    assert.equal(svc.service.isReady(), true);
    assert.equal((await svc.get('/readyz')).status, 200);
    assert.match(await svc.metrics(), /^authfort_ready 1$/m);
  });

  it('stays not ready while the issuer answers 500, and says why', async (t) => {
    const issuer = await JwksServer.start({ keys: [key.publicJwk] });
    t.after(() => issuer.close());
    issuer.respond(issuer.jwksPath, { status: 500 });
    const lines: string[] = [];
    const svc = await startHarness(t, {
      key,
      issuer,
      waitReady: false,
      logger: capturingLogger(lines),
    });

    const answer = await svc.get('/auth', { authorization: `Bearer ${await signToken(key)}` });

    assert.equal(answer.status, 503);
    assert.equal((await svc.get('/readyz')).status, 503);
    const failed = parseLines(lines).find((line) => line.msg === 'key set fetch failed; not ready');
    assert.ok(failed, 'an error line for the failed fetch');
    assert.equal(failed.level, 50);
    assert.equal(failed['upstreamStatus'], 500);
  });

  it('stops being ready the moment close() is called, then stops listening', async (t) => {
    const svc = await startHarness(t, { key });
    assert.equal(svc.service.isReady(), true);

    const closing = svc.service.close(1000);
    assert.equal(svc.service.isReady(), false);
    await closing;

    await assert.rejects(httpRequest(svc.service.ports.http, '/healthz'));
    const client = new OfficialAuthorizationClient(svc.grpcAddress, credentials.createInsecure());
    t.after(() => client.close());
    const outcome = await callCheck(client, checkRequest());
    assert.ok(outcome.error, 'the gRPC port no longer answers');
  });

  it('answers a Check in flight when close() begins, then closes', async (t) => {
    const introspection = await IntrospectionServer.start({ secret: INTROSPECTION_SECRET });
    t.after(() => introspection.close());
    const svc = await startHarness(t, {
      key,
      env: introspectionEnv(introspection),
    });
    const token = await signToken(key);
    introspection.setActive(token).fail({ kind: 'delay', ms: 300 });

    const request = checkRequest(
      { authorization: `Bearer ${token}` },
      { contextExtensions: { introspect: 'true' } },
    );
    const answer = svc.check(request);
    while (introspection.requestCount === 0) await new Promise((r) => setTimeout(r, 10));

    const closing = svc.service.close(60_000);
    const outcome = await answer;
    assert.equal(outcome.response?.status?.code, 0, String(outcome.error));
    await closing;
  });

  // The test's own timeout is what fails if close() waits out its ten-minute grace.
  it(
    'does not let an open health Watch stream hold close() for the grace',
    { timeout: 20_000 },
    async (t) => {
      const svc = await startHarness(t, { key });
      const seen: string[] = [];
      const stream = svc.health.watch({ service: '' });
      stream.on('error', () => undefined);
      const first = once(stream, 'data');
      stream.on('data', (message: { status: string }) => seen.push(message.status));
      await first;

      await svc.service.close(600_000);
      assert.deepEqual(seen, ['SERVING', 'NOT_SERVING']);
    },
  );

  it('serves no metrics port as a cluster worker', async (t) => {
    const issuer = await JwksServer.start({ keys: [key.publicJwk] });
    t.after(() => issuer.close());
    const config = loadConfig({ env: baseEnv(issuer) });

    const service = await startService(config, pino({ level: 'silent' }), 'cluster-worker');
    t.after(() => service.close(1000));

    assert.equal(service.ports.metrics, undefined);
  });

  it('fails to start on a port in use, and leaves nothing listening', async (t) => {
    const issuer = await JwksServer.start({ keys: [key.publicJwk] });
    t.after(() => issuer.close());
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    t.after(() => taken.close());
    const port = (taken.address() as AddressInfo).port;
    const config = loadConfig({
      env: { ...baseEnv(issuer), AUTHFORT_HTTP_ADDR: `127.0.0.1:${port}` },
    });

    await assert.rejects(startService(config, pino({ level: 'silent' })), { code: 'EADDRINUSE' });
    // Nothing to close here: a gRPC port or key set left behind would keep this file from ever
    // finishing, which is how this test fails.
  });
});

describe('startService: logs', () => {
  it('logs a denial at info with its code, and never the token', async (t) => {
    const lines: string[] = [];
    const svc = await startHarness(t, { key, logger: capturingLogger(lines) });
    const expired = await signToken(key, { claims: authFortClaims({}, nowSeconds() - 3600) });
    const tampered = withTamperedPayload(await signToken(key), authFortClaims({ sub: 'x' }));
    const valid = await signToken(key, { claims: authFortClaims({ sub: 'log-user' }) });
    const tokens = [expired, tampered, valid, 'not-a-jwt-secret-looking-value'];

    await svc.check(checkRequest({ authorization: `Bearer ${expired}` }));
    await svc.check(checkRequest({ authorization: `Bearer ${tampered}` }));
    await svc.check(checkRequest({ authorization: `Bearer ${valid}` }));
    await svc.get('/auth', { authorization: `Bearer ${expired}` });
    await svc.get('/auth', { authorization: `Bearer ${tokens[3]}` });
    await svc.get('/auth', { authorization: [`Bearer ${valid}`, `Bearer ${valid}`] });
    await svc.get('/auth?roles=admin', { authorization: `Bearer ${valid}` });

    const parsed = parseLines(lines);
    const denied = parsed.filter((line) => line.msg === 'denied');
    assert.ok(denied.length >= 6);
    for (const line of denied) {
      assert.equal(line.level, 30, 'denials log at info');
      assert.match(line.code ?? '', /^ERR_/);
    }
    assert.ok(denied.some((l) => l.transport === 'grpc' && l.code === 'ERR_TOKEN_EXPIRED'));
    assert.ok(denied.some((l) => l.transport === 'http' && l.code === 'ERR_TOKEN_EXPIRED'));
    assert.ok(denied.some((l) => l.transport === 'http' && l.code === 'ERR_ROLE_MISSING'));
    assert.ok(parsed.some((line) => line.msg === 'allowed' && line['sub'] === 'log-user'));

    const text = lines.join('\n');
    for (const token of tokens) {
      assert.ok(!text.includes(token), 'no token in any log line');
      const [, payload] = token.split('.');
      if (payload) assert.ok(!text.includes(payload), 'no token payload in any log line');
    }
    assert.ok(!/authorization/i.test(text), 'no Authorization header in any log line');
    assert.ok(!/bearer/i.test(text), 'no credentials in any log line');
  });

  it('logs a dependency failure at warn, an operator error with its setting', async (t) => {
    const lines: string[] = [];
    const svc = await startHarness(t, { key, logger: capturingLogger(lines, 'info') });
    const token = await signToken(key);

    await svc.check(
      checkRequest(
        { authorization: `Bearer ${token}` },
        { contextExtensions: { introspect: 'true' } },
      ),
    );
    await svc.check(
      checkRequest(
        { authorization: `Bearer ${token}` },
        { contextExtensions: { introspect: 'yes' } },
      ),
    );

    const parsed = parseLines(lines);
    const unavailable = parsed.find((line) => line.code === 'ERR_INTROSPECTION_NOT_CONFIGURED');
    assert.equal(unavailable?.level, 40);
    const invalid = parsed.find((line) => line.code === 'ERR_CONFIG_INVALID');
    assert.ok(invalid);
    assert.equal(invalid.key, 'context_extensions.introspect');
  });
});

describe('startService: metrics', () => {
  it('counts decisions by transport, outcome and code', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key);

    await svc.check(checkRequest({ authorization: `Bearer ${token}` }));
    await svc.check(checkRequest({ authorization: `Bearer ${token}` }));
    await svc.check(checkRequest());
    await svc.get('/auth');
    await svc.get('/auth?roles=admin', { authorization: `Bearer ${token}` });
    await svc.get('/auth/x', { authorization: `Bearer ${token}` });

    const metrics = await svc.metrics();
    assert.equal(decisions(metrics, 'grpc', 'allow', 'OK'), 2);
    assert.equal(decisions(metrics, 'grpc', 'deny', 'ERR_TOKEN_MISSING'), 1);
    assert.equal(decisions(metrics, 'http', 'deny', 'ERR_TOKEN_MISSING'), 1);
    assert.equal(decisions(metrics, 'http', 'deny', 'ERR_ROLE_MISSING'), 1);
    assert.equal(decisions(metrics, 'http', 'allow', 'OK'), 1);
    assert.match(metrics, /^authfort_check_duration_seconds_count\{transport="grpc"\} 3$/m);
    assert.match(metrics, /^authfort_jwks_keys 1$/m);
    assert.ok(!metrics.includes(token), 'no token in a metric');
    assert.ok(!metrics.includes('user-1'), 'no subject in a metric label');
  });

  it('counts a dependency failure under its code', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key);

    await svc.check(
      checkRequest(
        { authorization: `Bearer ${token}` },
        { contextExtensions: { introspect: 'true' } },
      ),
    );

    const metrics = await svc.metrics();
    assert.equal(decisions(metrics, 'grpc', 'deny', 'ERR_INTROSPECTION_NOT_CONFIGURED'), 1);
  });

  it('answers 404 on the metrics port for anything but /metrics', async (t) => {
    const svc = await startHarness(t, { key });
    const port = svc.service.ports.metrics ?? 0;

    assert.equal((await httpRequest(port, '/')).status, 404);
    assert.equal((await httpRequest(port, '/metrics?x=1')).status, 200);
  });
});
