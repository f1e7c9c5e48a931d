import assert from 'node:assert/strict';
import { afterEach, before, beforeEach, describe, it } from 'node:test';

import { jwtVerify } from 'jose';

import { JwksServer } from '../support/jwks-server.js';
import { generateSigningKey, signToken, type SigningKey } from '../support/keys.js';
import { FakeClock, nextEvent, openKeySet } from './harness.js';

const ALGORITHMS = ['RS256', 'ES256'];
const verify = (token: string, keySet: { getKey: Parameters<typeof jwtVerify>[1] }) =>
  jwtVerify(token, keySet.getKey, { algorithms: ALGORITHMS });

describe('RemoteKeySet: rotation and removal', () => {
  let oldKey: SigningKey;
  let newKey: SigningKey;
  let issuer: JwksServer;
  let clock: FakeClock;

  before(async () => {
    [oldKey, newKey] = await Promise.all([
      generateSigningKey('RS256'),
      generateSigningKey('RS256'),
    ]);
  });

  beforeEach(async () => {
    issuer = await JwksServer.start({ keys: [oldKey.publicJwk] });
    clock = new FakeClock();
  });

  afterEach(() => issuer.close());

  it('refetches once for a new kid and then verifies with it', async () => {
    const keySet = openKeySet({ url: issuer.jwksUrl, clock: clock.now });
    await keySet.ready;
    clock.advance(31_000);

    issuer.publish(newKey.publicJwk);
    const refreshed = nextEvent(keySet, 'refreshed');
    const { payload } = await verify(await signToken(newKey), keySet);
    assert.equal(payload.sub, 'user-1');
    assert.equal(issuer.requestCount(issuer.jwksPath), 2);

    const event = await refreshed;
    assert.equal(event.trigger, 'unknown-kid');
    assert.deepEqual(event.added, [newKey.kid]);

    await verify(await signToken(newKey), keySet);
    await verify(await signToken(oldKey), keySet);
    assert.equal(issuer.requestCount(issuer.jwksPath), 2);
  });

  it('stops trusting a key the issuer stopped publishing at the next good fetch', async () => {
    issuer.publish(newKey.publicJwk);
    const keySet = openKeySet({ url: issuer.jwksUrl, clock: clock.now });
    await keySet.ready;
    const oldToken = await signToken(oldKey);
    await verify(oldToken, keySet);
    assert.notEqual(keySet.fingerprint(oldKey.kid), undefined);

    issuer.unpublish(oldKey.kid);
    const refreshed = nextEvent(keySet, 'refreshed');
    await keySet.refresh();
    assert.deepEqual((await refreshed).removed, [oldKey.kid]);

    assert.equal(keySet.fingerprint(oldKey.kid), undefined);
    assert.deepEqual(keySet.state.kids, [newKey.kid]);
    await assert.rejects(verify(oldToken, keySet), { code: 'ERR_TOKEN_KEY_UNKNOWN' });
    await verify(await signToken(newKey), keySet);
  });

  it('answers ERR_TOKEN_KEY_UNKNOWN when the refetch does not publish the kid either', async () => {
    const keySet = openKeySet({ url: issuer.jwksUrl, clock: clock.now });
    await keySet.ready;
    clock.advance(31_000);

    await assert.rejects(verify(await signToken(newKey), keySet), {
      code: 'ERR_TOKEN_KEY_UNKNOWN',
    });
    assert.equal(issuer.requestCount(issuer.jwksPath), 2);
  });
});

describe('RemoteKeySet: single-flight and cooldown', () => {
  let known: SigningKey;
  let unknown: SigningKey;
  let issuer: JwksServer;
  let clock: FakeClock;

  before(async () => {
    [known, unknown] = await Promise.all([
      generateSigningKey('ES256'),
      generateSigningKey('ES256'),
    ]);
  });

  beforeEach(async () => {
    issuer = await JwksServer.start({ keys: [known.publicJwk] });
    clock = new FakeClock();
  });

  afterEach(() => issuer.close());

  it('makes 200 concurrent lookups of an unknown kid share one fetch', async () => {
    // No cooldown, so only single-flight can keep this to one fetch.
    const keySet = openKeySet({ url: issuer.jwksUrl, clock: clock.now, cooldownSeconds: 0 });
    await keySet.ready;
    issuer.publish(unknown.publicJwk);
    issuer.respondOnce(issuer.jwksPath, { delayMs: 50 });

    const token = await signToken(unknown);
    const results = await Promise.all(Array.from({ length: 200 }, () => verify(token, keySet)));
    assert.equal(results.length, 200);
    assert.equal(issuer.requestCount(issuer.jwksPath), 2);
    assert.equal(keySet.state.fetchCount, 2);
  });

  it('makes 200 concurrent lookups of a kid nobody publishes share one fetch', async () => {
    const keySet = openKeySet({ url: issuer.jwksUrl, clock: clock.now, cooldownSeconds: 0 });
    await keySet.ready;

    const lookups = Array.from({ length: 200 }, () =>
      keySet.getKey({ alg: 'ES256', kid: 'forged' }).then(
        () => 'resolved',
        (error: { code?: string }) => error.code,
      ),
    );
    const codes = new Set(await Promise.all(lookups));
    assert.deepEqual([...codes], ['ERR_TOKEN_KEY_UNKNOWN']);
    assert.equal(issuer.requestCount(issuer.jwksPath), 2);
  });

  it('does not fetch for an unknown kid within the cooldown', async () => {
    const keySet = openKeySet({ url: issuer.jwksUrl, clock: clock.now });
    await keySet.ready;
    clock.advance(31_000);

    await assert.rejects(keySet.getKey({ alg: 'ES256', kid: 'a' }), {
      code: 'ERR_TOKEN_KEY_UNKNOWN',
    });
    assert.equal(issuer.requestCount(issuer.jwksPath), 2);
    assert.equal(keySet.state.coolingDown, true);

    clock.advance(10_000);
    await assert.rejects(keySet.getKey({ alg: 'ES256', kid: 'b' }), {
      code: 'ERR_TOKEN_KEY_UNKNOWN',
    });
    assert.equal(issuer.requestCount(issuer.jwksPath), 2);

    clock.advance(21_000);
    assert.equal(keySet.state.coolingDown, false);
    await assert.rejects(keySet.getKey({ alg: 'ES256', kid: 'c' }), {
      code: 'ERR_TOKEN_KEY_UNKNOWN',
    });
    assert.equal(issuer.requestCount(issuer.jwksPath), 3);
  });

  it('queues one refetch for the end of the cooldown when a kid is refused during it', async () => {
    issuer.cacheControl = 'max-age=3600';
    const keySet = openKeySet({ url: issuer.jwksUrl, clock: clock.now });
    await keySet.ready;
    const fetchedAt = clock.now();
    // The background refresh is due at 80 % of the 600 s maximum age.
    assert.equal(keySet.state.nextRefreshAt, fetchedAt + 480_000);

    clock.advance(5_000);
    await assert.rejects(keySet.getKey({ alg: 'ES256', kid: unknown.kid }), {
      code: 'ERR_TOKEN_KEY_UNKNOWN',
    });
    assert.equal(keySet.state.nextRefreshAt, fetchedAt + 30_000);
    assert.equal(issuer.requestCount(issuer.jwksPath), 1);
  });

  it('fetches for each unknown kid when the cooldown is 0', async () => {
    const keySet = openKeySet({ url: issuer.jwksUrl, clock: clock.now, cooldownSeconds: 0 });
    await keySet.ready;
    assert.equal(keySet.state.coolingDown, false);

    for (const kid of ['a', 'b', 'c']) {
      await assert.rejects(keySet.getKey({ alg: 'ES256', kid }), {
        code: 'ERR_TOKEN_KEY_UNKNOWN',
      });
    }
    assert.equal(issuer.requestCount(issuer.jwksPath), 4);
  });

  it('lets a manual refresh ignore the cooldown but join a fetch in flight', async () => {
    const keySet = openKeySet({ url: issuer.jwksUrl, clock: clock.now });
    await keySet.ready;
    assert.equal(keySet.state.coolingDown, true);

    await keySet.refresh();
    assert.equal(issuer.requestCount(issuer.jwksPath), 2);

    issuer.respondOnce(issuer.jwksPath, { delayMs: 30 });
    await Promise.all([keySet.refresh(), keySet.refresh(), keySet.refresh()]);
    assert.equal(issuer.requestCount(issuer.jwksPath), 3);
  });
});
