import assert from 'node:assert/strict';
import { afterEach, before, beforeEach, describe, it } from 'node:test';

import { jwtVerify } from 'jose';

import { isAuthFortError } from '../../src/errors.js';
import type { RemoteKeySet } from '../../src/jwks/remote-key-set.js';
import { retryDelaySeconds } from '../../src/jwks/schedule.js';
import type { RefreshFailedEvent } from '../../src/jwks/state.js';
import { JwksServer, type ResponsePlan } from '../support/jwks-server.js';
import { generateSigningKey, signToken, type SigningKey } from '../support/keys.js';
import { FakeClock, nextEvent, openKeySet } from './harness.js';

interface OutageCase {
  name: string;
  plan: ResponsePlan;
  code: string;
  upstreamStatus?: number;
}

const OUTAGES: OutageCase[] = [
  { name: 'HTTP 500', plan: { status: 500 }, code: 'ERR_JWKS_FETCH_FAILED', upstreamStatus: 500 },
  { name: 'HTTP 404', plan: { status: 404 }, code: 'ERR_JWKS_FETCH_FAILED', upstreamStatus: 404 },
  { name: 'a dropped connection', plan: { destroy: true }, code: 'ERR_JWKS_FETCH_FAILED' },
  { name: 'a hung request', plan: { hang: true }, code: 'ERR_JWKS_TIMEOUT' },
  { name: 'a slow answer', plan: { delayMs: 1000 }, code: 'ERR_JWKS_TIMEOUT' },
  { name: 'an HTML error page', plan: { body: '<html>oops</html>' }, code: 'ERR_JWKS_INVALID' },
  {
    name: 'invalid UTF-8',
    plan: { body: Buffer.from([0x7b, 0xff, 0x7d]) },
    code: 'ERR_JWKS_INVALID',
  },
  { name: 'JSON without keys', plan: { body: { error: 'x' } }, code: 'ERR_JWKS_INVALID' },
  { name: 'an empty key list', plan: { body: { keys: [] } }, code: 'ERR_JWKS_INVALID' },
  {
    name: 'only unusable keys',
    plan: { body: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } },
    code: 'ERR_JWKS_INVALID',
  },
  {
    name: 'an oversized body',
    plan: { body: { keys: [], padding: 'x'.repeat(20_000) } },
    code: 'ERR_JWKS_TOO_LARGE',
    upstreamStatus: 200,
  },
  {
    name: 'an endless stream',
    plan: { streamBytes: 5_000_000 },
    code: 'ERR_JWKS_TOO_LARGE',
    upstreamStatus: 200,
  },
];

describe('RemoteKeySet: outages keep the last good keys', () => {
  let key: SigningKey;
  let issuer: JwksServer;
  let clock: FakeClock;

  before(async () => {
    key = await generateSigningKey('ES256');
  });

  beforeEach(async () => {
    issuer = await JwksServer.start({ keys: [key.publicJwk] });
    clock = new FakeClock();
  });

  afterEach(() => issuer.close());

  const load = async (): Promise<RemoteKeySet> => {
    const keySet = openKeySet({
      url: issuer.jwksUrl,
      clock: clock.now,
      timeoutMs: 200,
      maxBytes: 16 * 1024,
    });
    await keySet.ready;
    return keySet;
  };

  for (const outage of OUTAGES) {
    it(`keeps the keys through ${outage.name}, reporting ${outage.code}`, async () => {
      const keySet = await load();
      const token = await signToken(key);
      issuer.respondOnce(issuer.jwksPath, outage.plan);

      const failed = nextEvent(keySet, 'refresh-failed');
      await keySet.refresh();
      const event: RefreshFailedEvent = await failed;

      assert.equal(event.trigger, 'manual');
      assert.equal(event.error.code, outage.code);
      assert.equal(event.error.upstreamStatus, outage.upstreamStatus);
      assert.equal(event.error.url, issuer.jwksUrl);
      assert.equal(event.consecutiveFailures, 1);
      assert.equal(event.loaded, true);

      const state = keySet.state;
      assert.equal(state.loaded, true);
      assert.equal(state.keyCount, 1);
      assert.equal(state.consecutiveFailures, 1);
      assert.equal(state.lastFailure, event.error);
      assert.equal(state.lastFailureAt, clock.now());
      assert.equal(state.nextRefreshAt, clock.now() + event.retryInSeconds * 1000);
      assert.equal(event.retryInSeconds, 30);

      await jwtVerify(token, keySet.getKey, { algorithms: ['ES256'] });
    });
  }

  it('keeps the keys while the issuer is down altogether', async () => {
    const keySet = await load();
    await issuer.close();

    await keySet.refresh();
    assert.equal(keySet.state.lastFailure?.code, 'ERR_JWKS_FETCH_FAILED');
    await jwtVerify(await signToken(key), keySet.getKey, { algorithms: ['ES256'] });
    issuer = await JwksServer.start();
  });

  it('backs off exponentially and resets after a success', async () => {
    const keySet = await load();
    issuer.respond(issuer.jwksPath, { status: 503 });

    const retries: number[] = [];
    keySet.on('refresh-failed', (event) => retries.push(event.retryInSeconds));
    for (let i = 0; i < 6; i++) await keySet.refresh();
    assert.deepEqual(retries, [30, 60, 120, 240, 300, 300]);
    assert.deepEqual(
      retries,
      [1, 2, 3, 4, 5, 6].map((n) => retryDelaySeconds(n, 30, 600, 0)),
    );
    assert.equal(keySet.state.consecutiveFailures, 6);
    assert.equal(keySet.state.lastFailure?.upstreamStatus, 503);

    issuer.reset();
    const refreshed = nextEvent(keySet, 'refreshed');
    await keySet.refresh();
    assert.equal((await refreshed).trigger, 'manual');
    assert.equal(keySet.state.consecutiveFailures, 0);
    assert.equal(keySet.state.lastFailure?.upstreamStatus, 503, 'the last failure stays visible');
    assert.equal(keySet.state.nextRefreshAt, clock.now() + 480_000);
  });

  it('treats a failed unknown-kid refetch as an unknown key, not an outage', async () => {
    const keySet = await load();
    clock.advance(31_000);
    issuer.respondOnce(issuer.jwksPath, { status: 502 });

    await assert.rejects(keySet.getKey({ alg: 'ES256', kid: 'forged' }), (error: unknown) => {
      assert.ok(isAuthFortError(error));
      assert.equal(error.code, 'ERR_TOKEN_KEY_UNKNOWN');
      assert.equal((error.cause as { upstreamStatus?: number }).upstreamStatus, 502);
      return true;
    });
    assert.equal(keySet.state.lastFailure?.code, 'ERR_JWKS_FETCH_FAILED');
  });
});

describe('RemoteKeySet: never loaded', () => {
  let key: SigningKey;
  let issuer: JwksServer;
  let clock: FakeClock;

  before(async () => {
    key = await generateSigningKey('ES256');
  });

  beforeEach(async () => {
    issuer = await JwksServer.start({ keys: [key.publicJwk] });
    clock = new FakeClock();
  });

  afterEach(() => issuer.close());

  it('answers ERR_JWKS_UNAVAILABLE with the fetch error as cause', async () => {
    issuer.respond(issuer.jwksPath, { status: 503 });
    const keySet = openKeySet({ url: issuer.jwksUrl, clock: clock.now });
    const failed = await nextEvent(keySet, 'refresh-failed');
    assert.equal(failed.trigger, 'startup');
    assert.equal(failed.loaded, false);

    await assert.rejects(keySet.getKey({ alg: 'ES256', kid: key.kid }), (error: unknown) => {
      assert.ok(isAuthFortError(error));
      assert.equal(error.code, 'ERR_JWKS_UNAVAILABLE');
      assert.equal(error.upstreamStatus, 503);
      assert.ok(isAuthFortError(error.cause));
      assert.equal(error.cause.code, 'ERR_JWKS_FETCH_FAILED');
      return true;
    });
    // Within the cooldown of the startup fetch: no new fetch.
    assert.equal(issuer.requestCount(issuer.jwksPath), 1);
    assert.equal(keySet.state.loaded, false);
    assert.equal(keySet.state.fresh, false);
  });

  it('fetches on demand after the cooldown and recovers', async () => {
    issuer.respondOnce(issuer.jwksPath, { status: 500 });
    const keySet = openKeySet({ url: issuer.jwksUrl, clock: clock.now });
    await nextEvent(keySet, 'refresh-failed');

    clock.advance(30_000);
    const refreshed = nextEvent(keySet, 'refreshed');
    await jwtVerify(await signToken(key), keySet.getKey, { algorithms: ['ES256'] });
    assert.equal((await refreshed).trigger, 'unknown-kid');
    await keySet.ready;
    assert.equal(issuer.requestCount(issuer.jwksPath), 2);
  });

  it('keeps ready pending, never rejected, while the issuer fails', async () => {
    issuer.respond(issuer.jwksPath, { body: 'garbage' });
    const keySet = openKeySet({ url: issuer.jwksUrl, clock: clock.now });
    await nextEvent(keySet, 'refresh-failed');

    const outcome = await Promise.race([
      keySet.ready.then(
        () => 'resolved',
        () => 'rejected',
      ),
      new Promise((resolve) => setTimeout(resolve, 20, 'pending')),
    ]);
    assert.equal(outcome, 'pending');
    assert.equal(keySet.state.lastFailure?.code, 'ERR_JWKS_INVALID');
  });
});
