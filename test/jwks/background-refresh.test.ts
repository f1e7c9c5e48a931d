// Real timers: each test waits about one second, the shortest delay the key set ever schedules.
// The tests run concurrently so the file stays near that second. The delays themselves are
// covered exactly, without waiting, in schedule.test.ts.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';

import { JwksServer } from '../support/jwks-server.js';
import { generateSigningKey, type SigningKey } from '../support/keys.js';
import { nextEvent, openKeySet } from './harness.js';

describe('RemoteKeySet: timers', { concurrency: true }, () => {
  let key: SigningKey;
  let rotated: SigningKey;
  const servers: JwksServer[] = [];

  const start = async (options: { cacheControl?: string } = {}) => {
    const server = await JwksServer.start({ keys: [key.publicJwk], ...options });
    servers.push(server);
    return server;
  };

  before(async () => {
    [key, rotated] = await Promise.all([generateSigningKey('ES256'), generateSigningKey('ES256')]);
  });

  after(() => Promise.all(servers.map((server) => server.close())));

  it('refreshes in the background before the key set goes stale', async () => {
    const issuer = await start({ cacheControl: 'max-age=1' });
    const keySet = openKeySet({ url: issuer.jwksUrl, cooldownSeconds: 0 });
    await keySet.ready;
    assert.equal(keySet.state.maxAgeSeconds, 1);

    issuer.publish(rotated.publicJwk);
    const event = await nextEvent(keySet, 'refreshed', 4000);
    assert.equal(event.trigger, 'scheduled');
    assert.deepEqual(event.added, [rotated.kid]);
    assert.equal(issuer.requestCount(issuer.jwksPath), 2);
  });

  it('retries after a failed first fetch and becomes ready', async () => {
    const issuer = await start();
    issuer.respondOnce(issuer.jwksPath, { status: 503 });
    const keySet = openKeySet({ url: issuer.jwksUrl, cooldownSeconds: 0 });

    const failed = await nextEvent(keySet, 'refresh-failed');
    assert.equal(failed.retryInSeconds, 1);
    const refreshed = await nextEvent(keySet, 'refreshed', 4000);
    assert.equal(refreshed.trigger, 'retry');
    await keySet.ready;
    assert.equal(keySet.state.loaded, true);
  });

  it('fetches once at the end of the cooldown for a kid refused during it', async () => {
    const issuer = await start();
    const keySet = openKeySet({ url: issuer.jwksUrl, cooldownSeconds: 1 });
    await keySet.ready;

    issuer.publish(rotated.publicJwk);
    for (let i = 0; i < 50; i++) {
      await assert.rejects(keySet.getKey({ alg: 'ES256', kid: rotated.kid }), {
        code: 'ERR_TOKEN_KEY_UNKNOWN',
      });
    }

    const event = await nextEvent(keySet, 'refreshed', 4000);
    assert.equal(event.trigger, 'unknown-kid');
    assert.equal(issuer.requestCount(issuer.jwksPath), 2);
    assert.notEqual(keySet.fingerprint(rotated.kid), undefined);
  });

  it('never keeps the process alive', async () => {
    const issuer = await start();
    const keySetModule = fileURLToPath(
      new URL('../../src/jwks/remote-key-set.ts', import.meta.url),
    );
    const script = `
      const { RemoteKeySet } = await import(${JSON.stringify(keySetModule)});
      const keySet = new RemoteKeySet({ url: ${JSON.stringify(issuer.jwksUrl)} });
      await keySet.ready;
      console.log(keySet.state.keyCount, keySet.state.nextRefreshAt > Date.now());
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { timeout: 8000 },
    );
    assert.equal(stdout.trim(), '1 true');
  });
});
