import assert from 'node:assert/strict';
import { afterEach, before, beforeEach, describe, it } from 'node:test';

import { jwtVerify } from 'jose';

import { JwksServer } from '../support/jwks-server.js';
import { generateSigningKey, signToken, type SigningKey } from '../support/keys.js';
import { FakeClock, nextEvent, openKeySet } from './harness.js';

describe('RemoteKeySet: OpenID discovery', () => {
  let key: SigningKey;
  let issuer: JwksServer;
  let keyHost: JwksServer;

  before(async () => {
    key = await generateSigningKey('ES256');
  });

  beforeEach(async () => {
    [issuer, keyHost] = await Promise.all([
      JwksServer.start({ keys: [key.publicJwk] }),
      JwksServer.start({ keys: [key.publicJwk] }),
    ]);
  });

  afterEach(() => Promise.all([issuer.close(), keyHost.close()]));

  it('loads the key set named by jwks_uri', async () => {
    const keySet = openKeySet({ discoveryUrl: issuer.discoveryUrl });
    await keySet.ready;

    assert.equal(keySet.state.url, issuer.jwksUrl);
    assert.equal(issuer.requestCount(issuer.discoveryPath), 1);
    assert.equal(issuer.requestCount(issuer.jwksPath), 1);
    await jwtVerify(await signToken(key), keySet.getKey, { algorithms: ['ES256'] });
  });

  it('follows jwks_uri to another loopback origin', async () => {
    issuer.discovery = { issuer: issuer.origin, jwks_uri: keyHost.jwksUrl };
    const keySet = openKeySet({ discoveryUrl: issuer.discoveryUrl });
    await keySet.ready;
    assert.equal(keySet.state.url, keyHost.jwksUrl);
    assert.equal(issuer.requestCount(issuer.jwksPath), 0);
  });

  it('asks discovery once, not on every refresh', async () => {
    const keySet = openKeySet({ discoveryUrl: issuer.discoveryUrl });
    await keySet.ready;
    await keySet.refresh();
    await keySet.refresh();
    assert.equal(issuer.requestCount(issuer.discoveryPath), 1);
    assert.equal(issuer.requestCount(issuer.jwksPath), 3);
  });

  it('asks discovery again after the key set fetch failed', async () => {
    const keySet = openKeySet({ discoveryUrl: issuer.discoveryUrl });
    await keySet.ready;

    issuer.respondOnce(issuer.jwksPath, { status: 404 });
    await keySet.refresh();
    assert.equal(keySet.state.lastFailure?.upstreamStatus, 404);

    issuer.discovery = { issuer: issuer.origin, jwks_uri: keyHost.jwksUrl };
    await keySet.refresh();
    assert.equal(keySet.state.consecutiveFailures, 0);
    assert.equal(keySet.state.url, keyHost.jwksUrl);
    assert.equal(issuer.requestCount(issuer.discoveryPath), 2);
  });

  for (const [name, plan] of [
    ['has no jwks_uri', { body: { issuer: 'x' } }],
    ['is not JSON', { body: 'not json' }],
    ['names a non-http jwks_uri', { body: { jwks_uri: 'file:///etc/passwd' } }],
  ] as const) {
    it(`reports ERR_DISCOVERY_INVALID when the document ${name}`, async () => {
      const clock = new FakeClock();
      issuer.respond(issuer.discoveryPath, plan);
      const keySet = openKeySet({ discoveryUrl: issuer.discoveryUrl, clock: clock.now });

      const failed = await nextEvent(keySet, 'refresh-failed');
      assert.equal(failed.error.code, 'ERR_DISCOVERY_INVALID');
      assert.equal(failed.error.url, issuer.discoveryUrl);
      assert.equal(issuer.requestCount(issuer.jwksPath), 0);

      await assert.rejects(keySet.getKey({ alg: 'ES256', kid: key.kid }), {
        code: 'ERR_JWKS_UNAVAILABLE',
      });
    });
  }

  it('keeps the upstream status of a failed discovery request', async () => {
    issuer.respond(issuer.discoveryPath, { status: 500 });
    const keySet = openKeySet({ discoveryUrl: issuer.discoveryUrl });
    const failed = await nextEvent(keySet, 'refresh-failed');
    assert.equal(failed.error.code, 'ERR_JWKS_FETCH_FAILED');
    assert.equal(failed.error.upstreamStatus, 500);
    assert.equal(failed.error.url, issuer.discoveryUrl);
  });
});

describe('RemoteKeySet: redirects', () => {
  let key: SigningKey;
  let issuer: JwksServer;
  let elsewhere: JwksServer;

  before(async () => {
    key = await generateSigningKey('ES256');
  });

  beforeEach(async () => {
    [issuer, elsewhere] = await Promise.all([
      JwksServer.start({ keys: [key.publicJwk] }),
      JwksServer.start({ keys: [key.publicJwk] }),
    ]);
  });

  afterEach(() => Promise.all([issuer.close(), elsewhere.close()]));

  it('follows a same-origin redirect', async () => {
    issuer.respond('/keys', { redirectTo: issuer.jwksPath, status: 301 });
    const keySet = openKeySet({ url: issuer.url('/keys') });
    await keySet.ready;
    assert.equal(issuer.requestCount(issuer.jwksPath), 1);
  });

  it('refuses a redirect to another origin and never asks it', async () => {
    issuer.respond(issuer.jwksPath, { redirectTo: elsewhere.jwksUrl });
    const keySet = openKeySet({ url: issuer.jwksUrl });

    const failed = await nextEvent(keySet, 'refresh-failed');
    assert.equal(failed.error.code, 'ERR_JWKS_REDIRECT');
    assert.equal(failed.error.upstreamStatus, 302);
    assert.equal(elsewhere.requestCount(), 0);
    assert.equal(keySet.state.loaded, false);
  });

  it('refuses a redirect of a loaded key set and keeps its keys', async () => {
    const keySet = openKeySet({ url: issuer.jwksUrl });
    await keySet.ready;

    issuer.respondOnce(issuer.jwksPath, { redirectTo: elsewhere.jwksUrl, status: 308 });
    await keySet.refresh();
    assert.equal(keySet.state.lastFailure?.code, 'ERR_JWKS_REDIRECT');
    assert.equal(keySet.state.keyCount, 1);
    assert.equal(elsewhere.requestCount(), 0);
  });
});
