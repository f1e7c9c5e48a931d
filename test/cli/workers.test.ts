/**
 * `AUTHFORT_WORKERS=N`: processes sharing the ports, replaced when they die, one `/metrics`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { runCli } from '../support/cli-process.js';
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

const isMessage = (msg: string) => (line: Record<string, unknown>) => line['msg'] === msg;

test('two workers share the ports, a dead one is replaced, metrics add up', async (t) => {
  const [grpc, http, metrics] = await freePorts(3);
  const cli = runCli(['serve'], {
    AUTHFORT_JWKS_URL: issuer.jwksUrl,
    AUTHFORT_GRPC_ADDR: `127.0.0.1:${grpc}`,
    AUTHFORT_HTTP_ADDR: `127.0.0.1:${http}`,
    AUTHFORT_METRICS_ADDR: `127.0.0.1:${metrics}`,
    AUTHFORT_WORKERS: '2',
    AUTHFORT_DRAIN_SECONDS: '0',
  });
  t.after(() => cli.kill());

  const workersListening = () => cli.lines.filter(isMessage('worker listening'));
  await cli.waitForLine(() => workersListening().length >= 2);
  const [first] = workersListening();

  const token = await signToken(key);
  for (let i = 0; i < 6; i += 1) {
    const response = await fetch(`http://127.0.0.1:${http}/auth`, {
      headers: { authorization: `Bearer ${token}` },
    });
    // The first requests may reach a worker whose key set is still loading: 503, never 2xx/401.
    assert.ok([200, 503].includes(response.status), `status ${response.status}`);
  }

  process.kill(first?.['pid'] as number, 'SIGKILL');
  await cli.waitForLine(isMessage('worker died; replacing it'));
  await cli.waitForLine(() => workersListening().length >= 3);

  const text = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
  assert.match(text, /authfort_decisions_total\{[^}]*transport="http"[^}]*\} \d+/);

  cli.child.kill('SIGTERM');
  assert.equal(await cli.exited(), 0);
});
