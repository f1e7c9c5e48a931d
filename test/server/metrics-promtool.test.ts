/**
 * What `/metrics` serves is valid Prometheus exposition, as Prometheus's own promtool reads it,
 * after real checks have filled every metric of ours.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';

import { pino } from 'pino';

import { loadConfig } from '../../src/config/index.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { requireBinary } from '../support/binaries.js';
import { JwksServer } from '../support/jwks-server.js';
import { generateSigningKey, signToken, type SigningKey } from '../support/keys.js';
import { baseEnv } from '../support/service-harness.js';

let key: SigningKey;
let issuer: JwksServer;
let service: RunningService;

before(async () => {
  key = await generateSigningKey('RS256');
  issuer = await JwksServer.start({ keys: [key.publicJwk] });
  const config = loadConfig({ env: baseEnv(issuer) });
  service = await startService(config, pino({ level: 'silent' }));
  await service.auth.ready;
});

after(async () => {
  await service.close(1000);
  await issuer.close();
});

function promtoolCheck(binary: string, text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
    child.stdin.end(text);
  });
}

test('promtool accepts /metrics after allows and denials', async (t) => {
  const promtool = await requireBinary(t, 'promtool');
  if (promtool === undefined) return;

  const auth = `http://127.0.0.1:${service.ports.http}/auth`;
  const token = await signToken(key);
  assert.equal((await fetch(auth, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  assert.equal((await fetch(auth)).status, 401);

  const response = await fetch(`http://127.0.0.1:${service.ports.metrics}/metrics`);
  assert.equal(response.status, 200);
  const text = await response.text();
  for (const name of [
    'authfort_decisions_total',
    'authfort_check_duration_seconds_bucket',
    'authfort_jwks_refreshes_total',
    'authfort_jwks_keys',
    'authfort_jwks_last_success_timestamp_seconds',
    'authfort_ready',
  ]) {
    assert.match(text, new RegExp(`^${name}[{ ]`, 'm'), `${name} missing`);
  }
  assert.ok(!text.includes(token), 'a token reached the metrics');

  // Our own families must pass promtool's parser and linter outright.
  const ours = text
    .split('\n')
    .filter((line) => /^(# (HELP|TYPE) )?authfort_/.test(line))
    .join('\n');
  const own = await promtoolCheck(promtool, `${ours}\n`);
  assert.equal(own.code, 0, own.output);

  // The whole page must parse; the linter's only complaint may be prom-client's default gauges
  // named `*_total`, which are prom-client's names, not ours.
  const whole = await promtoolCheck(promtool, text);
  const problems = whole.output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => !PROM_CLIENT_NAMING.test(line));
  assert.deepEqual(problems, []);
});

const PROM_CLIENT_NAMING = new RegExp(
  '^nodejs_active_(handles|requests|resources)_total ' +
    'non-counter metrics should not have "_total" suffix$',
);
