import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { authFortClaims, generateSigningKey, signToken, type SigningKey } from '../support/keys.js';
import { assertRefused, readyServiceAuth, startIssuer } from './harness.js';

describe('token verification: issuer and audience', () => {
  let key: SigningKey;
  const sign = (overrides: Record<string, unknown>) =>
    signToken(key, { claims: authFortClaims(overrides) });

  before(async () => {
    key = await generateSigningKey();
  });

  it('accepts the default issuer "authfort"', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
    assert.equal((await auth.verifyToken(await sign({}))).issuer, 'authfort');
  });

  it('refuses a token from another issuer, even signed by a trusted key', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));

    for (const iss of ['evil', 'AuthFort', 'authfort ', '', ['authfort'], 42]) {
      await assertRefused(auth.verifyToken(await sign({ iss })), 'ERR_TOKEN_ISSUER_MISMATCH', {
        claim: 'iss',
        status: 401,
      });
    }
  });

  it('checks the configured issuer instead of the default', async (t) => {
    const issuer = 'https://idp.example.com/realms/main';
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), { issuer });

    assert.equal((await auth.verifyToken(await sign({ iss: issuer }))).issuer, issuer);
    await assertRefused(auth.verifyToken(await sign({})), 'ERR_TOKEN_ISSUER_MISMATCH');
  });

  it('does not check aud when no audience is configured', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
    assert.equal((await auth.verifyToken(await sign({}))).sub, 'user-1');
    assert.equal((await auth.verifyToken(await sign({ aud: 'anything' }))).sub, 'user-1');
  });

  it('accepts any of the configured audiences, as a string or in a list', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), {
      audience: ['orders', 'billing'],
    });

    for (const aud of ['orders', 'billing', ['other', 'billing'], ['orders']]) {
      assert.equal((await auth.verifyToken(await sign({ aud }))).sub, 'user-1', String(aud));
    }
  });

  it('refuses a token for another audience', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), {
      audience: ['orders', 'billing'],
    });

    for (const aud of ['shipping', ['shipping', 'admin'], [], 'Orders', '']) {
      await assertRefused(auth.verifyToken(await sign({ aud })), 'ERR_TOKEN_AUDIENCE_MISMATCH', {
        claim: 'aud',
      });
    }
  });

  it('refuses a token without aud when an audience is configured', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), {
      audience: 'orders',
    });

    await assertRefused(auth.verifyToken(await sign({})), 'ERR_TOKEN_CLAIM_MISSING', {
      claim: 'aud',
    });
  });
});
