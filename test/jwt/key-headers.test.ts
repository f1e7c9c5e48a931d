import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import {
  embeddedKeyToken,
  generateSigningKey,
  signToken,
  type SigningKey,
} from '../support/keys.js';
import { assertRefused, fetchCount, readyServiceAuth, startIssuer } from './harness.js';

// Keys come only from the configured key set: a token's own `jwk`, `jku`, `x5u` and `x5c` headers
// are never followed, or an attacker could sign with a key of their choosing.
describe('token verification: key headers in the token', () => {
  let victim: SigningKey;
  let attacker: SigningKey;

  before(async () => {
    [victim, attacker] = await Promise.all([generateSigningKey(), generateSigningKey()]);
  });

  it('ignores an embedded jwk and jku/x5u URLs naming the victim kid', async (t) => {
    const issuer = await startIssuer(t, victim.publicJwk);
    const attackerServer = await startIssuer(t, attacker.publicJwk);
    const auth = await readyServiceAuth(t, issuer);

    const token = await embeddedKeyToken(attacker, victim.kid, attackerServer.jwksUrl);
    await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_SIGNATURE_INVALID');

    assert.equal(attackerServer.requestCount(), 0, 'the attacker URL must never be fetched');
    assert.equal(fetchCount(issuer), 1);
  });

  it('ignores an embedded jwk when the token names no kid', async (t) => {
    const issuer = await startIssuer(t, victim.publicJwk);
    const auth = await readyServiceAuth(t, issuer);

    const token = await signToken(attacker, {
      header: { kid: undefined, jwk: attacker.publicJwk },
    });
    await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_SIGNATURE_INVALID');
  });

  it('does not follow jku/x5u to find an unknown kid', async (t) => {
    const issuer = await startIssuer(t, victim.publicJwk);
    const attackerServer = await startIssuer(t, attacker.publicJwk);
    const auth = await readyServiceAuth(t, issuer);

    // The attacker's own kid: unknown to the issuer, published at the attacker's URL.
    const token = await signToken(attacker, {
      header: { jku: attackerServer.jwksUrl, x5u: attackerServer.jwksUrl },
    });
    await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_KEY_UNKNOWN');

    assert.equal(attackerServer.requestCount(), 0);
    assert.equal(fetchCount(issuer), 2, 'one refetch of the configured key set, nothing else');
  });

  it('ignores an x5c certificate chain in the header', async (t) => {
    const issuer = await startIssuer(t, victim.publicJwk);
    const auth = await readyServiceAuth(t, issuer);

    const token = await signToken(attacker, {
      header: { kid: victim.kid, x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] },
    });
    await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_SIGNATURE_INVALID');
  });
});
