import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { before, describe, it } from 'node:test';

import { DEFAULTS } from '../src/options.js';
import { ServiceAuth } from '../src/service-auth.js';
import {
  assertRefused,
  fetchCount,
  openServiceAuth,
  readyServiceAuth,
  startIssuer,
} from './jwt/harness.js';
import type { JwksServer } from './support/jwks-server.js';
import { generateSigningKey, signToken, unsecuredToken, type SigningKey } from './support/keys.js';

/**
 * Holds every key set request until `release()` is called, then answers them (and all later
 * ones) with the published keys.
 */
function holdKeySet(issuer: JwksServer): () => void {
  const held: ServerResponse[] = [];
  issuer.respond(issuer.jwksPath, (_request, response) => held.push(response));
  return () => {
    issuer.reset(issuer.jwksPath);
    for (const response of held.splice(0)) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: issuer.keys }));
    }
  };
}

/** Resolves once `condition` holds, polling on the event loop; fails after 2 s. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Whether `promise` has settled by the next turn of the event loop. */
async function settledSoon(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending');
  const outcome = await Promise.race([
    promise.then(
      () => 'settled',
      () => 'settled',
    ),
    new Promise((resolve) => setImmediate(() => resolve(pending))),
  ]);
  return outcome !== pending;
}

describe('ServiceAuth', () => {
  let key: SigningKey;

  before(async () => {
    key = await generateSigningKey();
  });

  it('verifies an AuthFort access token with the default options', async (t) => {
    const issuer = await startIssuer(t, key.publicJwk);
    const auth = await readyServiceAuth(t, issuer, { jwksCooldownSeconds: undefined });

    const user = await auth.verifyToken(await signToken(key));
    assert.equal(user.sub, 'user-1');
    assert.deepEqual(user.roles, ['user']);
    assert.equal(auth.options.issuer, DEFAULTS.issuer);
    assert.equal(auth.options.jwksCooldownSeconds, DEFAULTS.jwksCooldownSeconds);
    assert.equal(auth.keySet.state.loaded, true);
    assert.deepEqual(auth.keySet.state.kids, [key.kid]);
  });

  it('makes verifyToken wait for the first key set load', async (t) => {
    const issuer = await startIssuer(t, key.publicJwk);
    const release = holdKeySet(issuer);
    const auth = openServiceAuth(t, issuer);

    const verified = auth.verifyToken(await signToken(key));
    await eventually(() => fetchCount(issuer) === 1, 'the start-up fetch');
    assert.equal(await settledSoon(verified), false);
    assert.equal(await settledSoon(auth.ready), false);
    assert.equal(auth.keySet.state.loaded, false);

    release();
    assert.equal((await verified).sub, 'user-1');
    await auth.ready;
    assert.equal(fetchCount(issuer), 1, 'the waiting verification joined the start-up fetch');
  });

  it('refuses what needs no key at once, even before the first load', async (t) => {
    const issuer = await startIssuer(t, key.publicJwk);
    holdKeySet(issuer);
    const auth = openServiceAuth(t, issuer);

    await assertRefused(auth.verifyToken(unsecuredToken()), 'ERR_TOKEN_ALG_NOT_ALLOWED');
    await assertRefused(auth.verifyToken('junk'), 'ERR_TOKEN_MALFORMED');
    await assertRefused(auth.verifyToken(''), 'ERR_TOKEN_MISSING');
  });

  it('answers ERR_JWKS_UNAVAILABLE (503) while no key set could ever be loaded', async (t) => {
    const issuer = await startIssuer(t, key.publicJwk);
    issuer.respond(issuer.jwksPath, { status: 500 });
    const auth = openServiceAuth(t, issuer);
    const token = await signToken(key);

    for (let i = 0; i < 3; i++) {
      await assertRefused(auth.verifyToken(token), 'ERR_JWKS_UNAVAILABLE', {
        status: 503,
        upstreamStatus: 500,
      });
    }
    assert.equal(await settledSoon(auth.ready), false, 'ready never rejects');
    assert.equal(auth.keySet.state.loaded, false);

    issuer.reset(issuer.jwksPath);
    assert.equal((await auth.verifyToken(token)).sub, 'user-1');
    await auth.ready;
  });

  it('bounds the wait for a hung key set by jwksTimeoutMs', async (t) => {
    const issuer = await startIssuer(t, key.publicJwk);
    issuer.respond(issuer.jwksPath, { hang: true });
    const auth = openServiceAuth(t, issuer, { jwksTimeoutMs: 100 });

    await assertRefused(auth.verifyToken(await signToken(key)), 'ERR_JWKS_UNAVAILABLE', {
      status: 503,
    });
  });

  it('refuses invalid options before fetching anything', async (t) => {
    const issuer = await startIssuer(t, key.publicJwk);
    assert.throws(() => new ServiceAuth({ jwksUrl: issuer.jwksUrl, algorithms: ['HS256'] }), {
      code: 'ERR_CONFIG_INVALID',
      key: 'algorithms',
    });
    assert.throws(() => new ServiceAuth({}), { code: 'ERR_CONFIG_INVALID', key: 'jwksUrl' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(issuer.requestCount(), 0);
  });

  it('keeps verifying with the loaded keys after close, and fetches nothing more', async (t) => {
    const issuer = await startIssuer(t, key.publicJwk);
    const auth = await readyServiceAuth(t, issuer);
    const other = await generateSigningKey('ES256');

    await auth.close();
    await auth.close();
    assert.equal(auth.keySet.state.closed, true);

    assert.equal((await auth.verifyToken(await signToken(key))).sub, 'user-1');
    issuer.publish(other.publicJwk);
    await assertRefused(auth.verifyToken(await signToken(other)), 'ERR_TOKEN_KEY_UNKNOWN');
    assert.equal(fetchCount(issuer), 1);
  });
});
