/**
 * `authfort-service serve` as a process: configuration errors, the start-up line, SIGTERM.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { runCli } from '../support/cli-process.js';
import { IntrospectionServer } from '../support/introspection-server.js';
import { JwksServer } from '../support/jwks-server.js';
import { generateSigningKey, signToken, type SigningKey } from '../support/keys.js';
import { freePorts } from '../support/ports.js';

let key: SigningKey;
let issuer: JwksServer;

before(async () => {
  key = await generateSigningKey('RS256');
  issuer = await JwksServer.start({ keys: [key.publicJwk] });
});
after(() => issuer.close());

async function baseEnv(): Promise<Record<string, string>> {
  const [grpc, http, metrics] = await freePorts(3);
  return {
    AUTHFORT_JWKS_URL: issuer.jwksUrl,
    AUTHFORT_GRPC_ADDR: `127.0.0.1:${grpc}`,
    AUTHFORT_HTTP_ADDR: `127.0.0.1:${http}`,
    AUTHFORT_METRICS_ADDR: `127.0.0.1:${metrics}`,
    AUTHFORT_DRAIN_SECONDS: '0',
  };
}

const isMessage = (msg: string) => (line: Record<string, unknown>) => line['msg'] === msg;

describe('configuration errors', () => {
  test('an invalid value stops start-up with one line naming the key', async () => {
    const cli = runCli(['serve'], { ...(await baseEnv()), AUTHFORT_CLOCK_SKEW_SECONDS: 'abc' });
    assert.equal(await cli.exited(), 2);
    const lines = cli.stderr().trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /ERR_CONFIG_INVALID/);
    assert.match(lines[0] ?? '', /AUTHFORT_CLOCK_SKEW_SECONDS/);
  });

  test('a missing key set location names AUTHFORT_JWKS_URL', async () => {
    const env = await baseEnv();
    delete env['AUTHFORT_JWKS_URL'];
    const cli = runCli(['serve'], env);
    assert.equal(await cli.exited(), 2);
    assert.match(cli.stderr(), /AUTHFORT_JWKS_URL/);
    assert.equal(cli.stderr().trim().split('\n').length, 1);
  });

  test('an unknown command exits 2', async () => {
    const cli = runCli(['serv'], {});
    assert.equal(await cli.exited(), 2);
  });
});

describe('start-up', () => {
  test('logs the effective configuration once, secrets redacted, with its ports', async (t) => {
    const env = await baseEnv();
    const secret = 'introspection-secret-value-7f3a';
    const cli = runCli(['serve'], {
      ...env,
      AUTHFORT_INTROSPECT_URL: 'http://127.0.0.1:1/introspect',
      AUTHFORT_INTROSPECT_SECRET: secret,
    });
    t.after(() => cli.kill());

    const listening = await cli.waitForLine(isMessage('listening'));
    await cli.waitForLine(isMessage('ready'));

    const http = Number(env['AUTHFORT_HTTP_ADDR']?.split(':')[1]);
    assert.deepEqual(listening['listening'], {
      grpc: Number(env['AUTHFORT_GRPC_ADDR']?.split(':')[1]),
      http,
      metrics: Number(env['AUTHFORT_METRICS_ADDR']?.split(':')[1]),
    });
    const config = listening['config'] as Record<string, unknown>;
    assert.equal(typeof config, 'object');
    assert.equal(cli.lines.filter(isMessage('listening')).length, 1);
    assert.ok(!JSON.stringify(cli.lines).includes(secret), 'the secret reached a log line');

    const ready = await fetch(`http://127.0.0.1:${http}/readyz`);
    assert.equal(ready.status, 200);

    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited(), 0);
  });
});

describe('SIGTERM', () => {
  test('drains first: /readyz 503 while checks are still answered, then exits 0', async (t) => {
    const env: Record<string, string> = { ...(await baseEnv()), AUTHFORT_DRAIN_SECONDS: '3' };
    const cli = runCli(['serve'], env);
    t.after(() => cli.kill());
    await cli.waitForLine(isMessage('ready'));

    const http = `http://${env['AUTHFORT_HTTP_ADDR']}`;
    const token = await signToken(key);
    assert.equal((await fetch(`${http}/readyz`)).status, 200);

    cli.child.kill('SIGTERM');
    await cli.waitForLine(isMessage('draining'));

    assert.equal((await fetch(`${http}/readyz`)).status, 503);
    const check = await fetch(`${http}/auth`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(check.status, 200);

    assert.equal(await cli.exited(), 0);
  });

  test('an in-flight check finishes, then the process exits 0', async (t) => {
    const introspection = await IntrospectionServer.start({ secret: 's3cret' });
    t.after(() => introspection.close());
    const token = await signToken(key);
    introspection.setActive(token);
    // The introspection answer is slow, so the check is still running when SIGTERM arrives.
    introspection.fail({ kind: 'delay', ms: 1500 });

    const env = await baseEnv();
    const cli = runCli(['serve'], {
      ...env,
      AUTHFORT_INTROSPECT_URL: introspection.url,
      AUTHFORT_INTROSPECT_SECRET: 's3cret',
      AUTHFORT_INTROSPECT_TIMEOUT_MS: '5000',
    });
    t.after(() => cli.kill());
    await cli.waitForLine(isMessage('ready'));

    const http = env['AUTHFORT_HTTP_ADDR'];
    const answer = fetch(`http://${http}/auth?introspect=true`, {
      headers: { authorization: `Bearer ${token}` },
    });
    while (introspection.requestCount === 0) await new Promise((r) => setTimeout(r, 20));

    cli.child.kill('SIGTERM');
    await cli.waitForLine(isMessage('draining'));

    const response = await answer;
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-user-id'), 'user-1');
    assert.equal(await cli.exited(), 0);
    assert.ok(cli.lines.some(isMessage('stopped')));
  });
});
