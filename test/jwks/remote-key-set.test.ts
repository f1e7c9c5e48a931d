import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';

import { jwtVerify } from 'jose';

import { RemoteKeySet } from '../../src/jwks/remote-key-set.js';
import type { RefreshedEvent } from '../../src/jwks/state.js';
import { JwksServer } from '../support/jwks-server.js';
import { generateSigningKey, signToken, type SigningKey } from '../support/keys.js';
import { FakeClock, nextEvent, openKeySet } from './harness.js';

const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

describe('RemoteKeySet: loading', () => {
  let keys: SigningKey[];
  let issuer: JwksServer;

  before(async () => {
    keys = await Promise.all(
      (['RS256', 'PS256', 'ES256', 'EdDSA'] as const).map((alg) => generateSigningKey(alg)),
    );
  });

  beforeEach(async () => {
    issuer = await JwksServer.start({ keys: keys.map((key) => key.publicJwk) });
  });

  afterEach(() => issuer.close());

  it('fetches at construction and resolves ready at the first good fetch', async () => {
    const clock = new FakeClock();
    const keySet = openKeySet({ url: issuer.jwksUrl, clock: clock.now });
    const refreshed = nextEvent(keySet, 'refreshed');
    assert.equal(keySet.state.loaded, false);

    await keySet.ready;
    const state = keySet.state;
    assert.equal(state.loaded, true);
    assert.equal(state.fresh, true);
    assert.equal(state.keyCount, 4);
    assert.deepEqual(state.kids, keys.map((key) => key.kid).sort());
    assert.equal(state.fetchCount, 1);
    assert.equal(state.consecutiveFailures, 0);
    assert.equal(state.lastSuccessAt, clock.now());
    assert.equal(state.url, issuer.jwksUrl);
    assert.equal(issuer.requestCount(issuer.jwksPath), 1);

    const event: RefreshedEvent = await refreshed;
    assert.equal(event.trigger, 'startup');
    assert.deepEqual(event.added, state.kids);
    assert.deepEqual(event.removed, []);
  });

  it('verifies tokens of every accepted algorithm through jose', async () => {
    const keySet = openKeySet({ url: issuer.jwksUrl });
    await keySet.ready;

    for (const key of keys) {
      const token = await signToken(key);
      const { payload, protectedHeader } = await jwtVerify(token, keySet.getKey, {
        algorithms: ALGORITHMS,
      });
      assert.equal(payload.sub, 'user-1');
      assert.equal(protectedHeader.kid, key.kid);
    }
    assert.equal(issuer.requestCount(), 1);
  });

  it('makes a lookup before the first fetch wait for it, not fetch again', async () => {
    issuer.respondOnce(issuer.jwksPath, { delayMs: 100 });
    const keySet = openKeySet({ url: issuer.jwksUrl, cooldownSeconds: 0 });
    const token = await signToken(keys[0] as SigningKey);

    await jwtVerify(token, keySet.getKey, { algorithms: ALGORITHMS });
    assert.equal(issuer.requestCount(issuer.jwksPath), 1);
  });

  it('sends the JWK Set media type in Accept', async () => {
    const keySet = openKeySet({ url: issuer.jwksUrl });
    await keySet.ready;
    assert.match(String(issuer.requests[0]?.headers.accept), /application\/jwk-set\+json/);
  });

  it('goes stale after its max age without a refresh', async () => {
    const clock = new FakeClock();
    issuer.cacheControl = 'max-age=60';
    const keySet = openKeySet({ url: issuer.jwksUrl, clock: clock.now });
    await keySet.ready;

    clock.advance(59_999);
    assert.equal(keySet.state.fresh, true);
    clock.advance(1);
    assert.equal(keySet.state.fresh, false);
    assert.equal(keySet.state.loaded, true);
  });
});

describe('RemoteKeySet: fingerprint', () => {
  let key: SigningKey;
  let other: SigningKey;
  let issuer: JwksServer;

  before(async () => {
    [key, other] = await Promise.all([generateSigningKey('ES256'), generateSigningKey('ES256')]);
    issuer = await JwksServer.start({ keys: [key.publicJwk] });
  });

  after(() => issuer.close());

  it('stays the same across refetches of the same key', async () => {
    const keySet = openKeySet({ url: issuer.jwksUrl });
    await keySet.ready;
    const first = keySet.fingerprint(key.kid);
    assert.equal(typeof first, 'string');

    await keySet.refresh();
    assert.equal(keySet.state.fetchCount, 2);
    assert.equal(keySet.fingerprint(key.kid), first);
    assert.equal(keySet.fingerprint('nope'), undefined);
  });

  it('changes when the issuer reuses a kid for other key material', async () => {
    const keySet = openKeySet({ url: issuer.jwksUrl });
    await keySet.ready;
    const before = keySet.fingerprint(key.kid);

    issuer.keys = [{ ...other.publicJwk, kid: key.kid }];
    const refreshed = nextEvent(keySet, 'refreshed');
    await keySet.refresh();
    assert.notEqual(keySet.fingerprint(key.kid), before);
    assert.deepEqual((await refreshed).replaced, [key.kid]);
    issuer.keys = [key.publicJwk];
  });
});

describe('RemoteKeySet: options', () => {
  it('needs exactly one of url and discoveryUrl', () => {
    assert.throws(() => new RemoteKeySet({}), { code: 'ERR_CONFIG_INVALID', key: 'url' });
    assert.throws(
      () => new RemoteKeySet({ url: 'https://a.test/jwks', discoveryUrl: 'https://a.test/d' }),
      { code: 'ERR_CONFIG_INVALID' },
    );
  });

  it('refuses URLs that are not absolute http(s)', () => {
    for (const url of ['jwks.json', 'file:///etc/jwks.json', 'ftp://a.test/jwks']) {
      assert.throws(() => new RemoteKeySet({ url }), { code: 'ERR_CONFIG_INVALID', key: 'url' });
    }
    assert.throws(() => new RemoteKeySet({ discoveryUrl: 'nope' }), {
      code: 'ERR_CONFIG_INVALID',
      key: 'discoveryUrl',
    });
  });

  it('refuses out-of-range numbers', () => {
    const url = 'http://127.0.0.1:1/jwks';
    const cases = [
      { maxAgeSeconds: 0 },
      { maxAgeSeconds: Number.NaN },
      { cooldownSeconds: -1 },
      { timeoutMs: 0 },
      { maxBytes: -5 },
      { maxAgeSeconds: Number.POSITIVE_INFINITY },
    ];
    for (const options of cases) {
      const key = Object.keys(options)[0];
      assert.throws(() => new RemoteKeySet({ url, ...options }), {
        code: 'ERR_CONFIG_INVALID',
        key,
      });
    }
  });

  it('accepts a cooldown of 0', () => {
    const keySet = openKeySet({ url: 'http://127.0.0.1:1/jwks', cooldownSeconds: 0 });
    keySet.close();
  });
});

describe('RemoteKeySet: close', () => {
  let key: SigningKey;
  let issuer: JwksServer;

  before(async () => {
    key = await generateSigningKey('ES256');
  });

  beforeEach(async () => {
    issuer = await JwksServer.start({ keys: [key.publicJwk] });
  });

  afterEach(() => issuer.close());

  it('stops the timer and never fetches again, but keeps verifying with loaded keys', async () => {
    const keySet = openKeySet({ url: issuer.jwksUrl, cooldownSeconds: 0 });
    await keySet.ready;
    assert.notEqual(keySet.state.nextRefreshAt, undefined);

    keySet.close();
    assert.equal(keySet.state.closed, true);
    assert.equal(keySet.state.nextRefreshAt, undefined);

    await jwtVerify(await signToken(key), keySet.getKey, { algorithms: ALGORITHMS });
    await assert.rejects(keySet.getKey({ alg: 'ES256', kid: 'new' }), {
      code: 'ERR_TOKEN_KEY_UNKNOWN',
    });
    await keySet.refresh();
    keySet.close();
    assert.equal(issuer.requestCount(), 1);
  });

  it('aborts the first fetch quietly and answers ERR_JWKS_UNAVAILABLE afterwards', async () => {
    issuer.respondOnce(issuer.jwksPath, { hang: true });
    const keySet = openKeySet({ url: issuer.jwksUrl });
    let events = 0;
    keySet.on('refreshed', () => events++);
    keySet.on('refresh-failed', () => events++);

    const lookup = keySet.getKey({ alg: 'ES256', kid: key.kid });
    keySet.close();
    await assert.rejects(lookup, { code: 'ERR_JWKS_UNAVAILABLE' });
    assert.equal(events, 0);
    assert.equal(keySet.state.loaded, false);
    assert.equal(keySet.state.consecutiveFailures, 0);
  });
});
