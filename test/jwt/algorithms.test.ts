import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { importJWK, type CryptoKey } from 'jose';

import { resolveOptions } from '../../src/options.js';
import {
  authFortClaims,
  craftToken,
  generateSigningKey,
  hmacWithPublicKeyToken,
  signToken,
  unsecuredToken,
  type PublicKeySecretForm,
  type SigningKey,
} from '../support/keys.js';
import { assertRefused, fetchCount, readyServiceAuth, startIssuer } from './harness.js';

/** The same RSA key pair, signing with PS256 instead of the RS256 it is published for. */
async function asPss(key: SigningKey): Promise<SigningKey> {
  const privateKey = (await importJWK({ ...key.privateJwk, alg: 'PS256' }, 'PS256')) as CryptoKey;
  return { ...key, alg: 'PS256', privateKey };
}

describe('token verification: algorithms', () => {
  let rsa: SigningKey;
  let pss: SigningKey;
  let ec: SigningKey;
  let ed: SigningKey;

  before(async () => {
    [rsa, pss, ec, ed] = await Promise.all([
      generateSigningKey('RS256'),
      generateSigningKey('PS256'),
      generateSigningKey('ES256'),
      generateSigningKey('EdDSA'),
    ]);
  });

  it('verifies RS256, PS256, ES256 and EdDSA tokens by default', async (t) => {
    const issuer = await startIssuer(t, rsa.publicJwk, pss.publicJwk, ec.publicJwk, ed.publicJwk);
    const auth = await readyServiceAuth(t, issuer);

    for (const key of [rsa, pss, ec, ed]) {
      const user = await auth.verifyToken(await signToken(key));
      assert.equal(user.sub, 'user-1', key.alg);
    }
    assert.equal(fetchCount(issuer), 1);
  });

  it('refuses alg "none" with and without a kid, before asking the key set', async (t) => {
    const issuer = await startIssuer(t, rsa.publicJwk);
    const auth = await readyServiceAuth(t, issuer);

    const tokens = [
      unsecuredToken(),
      unsecuredToken(authFortClaims(), rsa.kid),
      unsecuredToken(authFortClaims(), 'unknown-kid'),
      // A "signature" after alg none, and the spellings a case-insensitive check would let in.
      craftToken({ alg: 'none', kid: rsa.kid }, authFortClaims(), 'c2lnbmF0dXJl'),
      craftToken({ alg: 'None', kid: rsa.kid }, authFortClaims(), 'c2lnbmF0dXJl'),
      craftToken({ alg: 'NONE' }, authFortClaims()),
    ];
    for (const token of tokens) {
      await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_ALG_NOT_ALLOWED', { status: 401 });
    }
    assert.equal(fetchCount(issuer), 1);
  });

  it('refuses a real token with its signature stripped', async (t) => {
    const issuer = await startIssuer(t, rsa.publicJwk);
    const auth = await readyServiceAuth(t, issuer);
    const [header, payload] = (await signToken(rsa)).split('.');

    await assertRefused(auth.verifyToken(`${header}.${payload}.`), 'ERR_TOKEN_ALG_NOT_ALLOWED');
  });

  for (const form of ['pem', 'der', 'jwk-json'] satisfies PublicKeySecretForm[]) {
    it(`refuses HS256 signed with the public key (${form}) without fetching`, async (t) => {
      const issuer = await startIssuer(t, rsa.publicJwk);
      const auth = await readyServiceAuth(t, issuer);

      await assertRefused(
        auth.verifyToken(await hmacWithPublicKeyToken(rsa, form)),
        'ERR_TOKEN_ALG_NOT_ALLOWED',
      );
      assert.equal(fetchCount(issuer), 1, 'an HMAC token must never reach the key set');
    });
  }

  it('refuses HS256 with an unknown kid without fetching', async (t) => {
    const issuer = await startIssuer(t, rsa.publicJwk);
    const auth = await readyServiceAuth(t, issuer);
    const token = craftToken({ alg: 'HS256', kid: 'made-up' }, authFortClaims(), 'c2ln');

    for (let i = 0; i < 5; i++) {
      await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_ALG_NOT_ALLOWED');
    }
    assert.equal(fetchCount(issuer), 1);
  });

  it('refuses an algorithm left out of the configured list, without fetching', async (t) => {
    const issuer = await startIssuer(t, rsa.publicJwk, ec.publicJwk);
    const auth = await readyServiceAuth(t, issuer, { algorithms: ['RS256'] });

    await assertRefused(auth.verifyToken(await signToken(ec)), 'ERR_TOKEN_ALG_NOT_ALLOWED');
    await assertRefused(auth.verifyToken(await signToken(pss)), 'ERR_TOKEN_ALG_NOT_ALLOWED');
    assert.equal((await auth.verifyToken(await signToken(rsa))).sub, 'user-1');
    assert.equal(fetchCount(issuer), 1);
  });

  it('refuses a header without a string alg', async (t) => {
    const issuer = await startIssuer(t, rsa.publicJwk);
    const auth = await readyServiceAuth(t, issuer);

    for (const header of [{ kid: rsa.kid }, { alg: 256, kid: rsa.kid }, { alg: ['RS256'] }]) {
      const token = craftToken(header, authFortClaims(), 'c2lnbmF0dXJl');
      await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_ALG_NOT_ALLOWED');
    }
  });

  // The published key's `alg` pins it: the same RSA key may not vouch for a PS256 signature.
  it('refuses PS256 by a key published as RS256 as an unknown key, with no refetch', async (t) => {
    const issuer = await startIssuer(t, rsa.publicJwk);
    const auth = await readyServiceAuth(t, issuer);
    const token = await signToken(await asPss(rsa));

    await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_KEY_UNKNOWN');
    assert.equal(fetchCount(issuer), 1);
  });

  it('accepts PS256 by an RSA key published without alg', async (t) => {
    const withoutAlg = { ...rsa.publicJwk, alg: undefined };
    const issuer = await startIssuer(t, withoutAlg);
    const auth = await readyServiceAuth(t, issuer);

    const token = await signToken(await asPss(rsa));
    assert.equal((await auth.verifyToken(token)).sub, 'user-1');
  });

  it('refuses an RS256 header over an ES256 key: the key decides, not the token', async (t) => {
    const issuer = await startIssuer(t, ec.publicJwk);
    const auth = await readyServiceAuth(t, issuer);
    const forged = craftToken({ alg: 'RS256', kid: ec.kid }, authFortClaims(), 'c2lnbmF0dXJl');

    await assertRefused(auth.verifyToken(forged), 'ERR_TOKEN_KEY_UNKNOWN');
  });

  describe('resolveOptions', () => {
    const jwksUrl = 'https://issuer.example/.well-known/jwks.json';

    for (const algorithms of [['HS256'], ['HS512'], ['none'], ['None'], [], ['RS256', 'HS256']]) {
      it(`rejects algorithms ${JSON.stringify(algorithms)}`, () => {
        assert.throws(() => resolveOptions({ jwksUrl, algorithms }), {
          name: 'AuthFortError',
          code: 'ERR_CONFIG_INVALID',
          key: 'algorithms',
        });
      });
    }

    it('keeps a list of asymmetric algorithms as given', () => {
      assert.deepEqual(resolveOptions({ jwksUrl, algorithms: ['ES256', 'RS256'] }).algorithms, [
        'ES256',
        'RS256',
      ]);
    });
  });
});
