import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { base64url, jwtVerify, SignJWT, type JWK } from 'jose';

import { JwksServer } from '../support/jwks-server.js';
import {
  embeddedKeyToken,
  generateSigningKey,
  hmacWithPublicKeyToken,
  signToken,
  type SigningKey,
} from '../support/keys.js';
import { nextEvent, openKeySet } from './harness.js';

const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const OCT_SECRET = new TextEncoder().encode('a-shared-secret-nobody-should-trust!!');

describe('RemoteKeySet: keys and tokens that must never verify', () => {
  let good: SigningKey;
  let leaked: SigningKey;
  let ec: SigningKey;
  let attacker: SigningKey;
  let issuer: JwksServer;
  let attackerHost: JwksServer;
  let weakRsa: JWK;

  before(async () => {
    [good, leaked, ec, attacker] = await Promise.all([
      generateSigningKey('RS256', 'good'),
      generateSigningKey('RS256', 'leaked'),
      generateSigningKey('ES256', 'ec'),
      generateSigningKey('RS256', 'attacker'),
    ]);
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    weakRsa = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid: 'weak', alg: 'RS256' };

    const oct: JWK = { kty: 'oct', kid: 'hmac', alg: 'HS256', k: base64url.encode(OCT_SECRET) };
    const encryption: JWK = { ...ec.publicJwk, kid: 'enc', use: 'enc' };
    issuer = await JwksServer.start({
      keys: [good.publicJwk, ec.publicJwk, oct, leaked.privateJwk, encryption, weakRsa],
    });
    attackerHost = await JwksServer.start({ keys: [attacker.publicJwk] });
  });

  after(() => Promise.all([issuer.close(), attackerHost.close()]));

  const load = async () => {
    const keySet = openKeySet({ url: issuer.jwksUrl, cooldownSeconds: 0 });
    const refreshed = nextEvent(keySet, 'refreshed');
    await keySet.ready;
    return { keySet, event: await refreshed };
  };

  it('publishes only the public signature keys and reports the rest', async () => {
    const { keySet, event } = await load();
    assert.deepEqual(keySet.state.kids, ['ec', 'good']);
    assert.deepEqual(
      event.skipped.map(({ kid, reason }) => [kid, reason]),
      [
        ['hmac', 'symmetric'],
        ['leaked', 'private'],
        ['enc', 'not-for-signatures'],
        ['weak', 'malformed'],
      ],
    );
    assert.equal(keySet.fingerprint('leaked'), undefined);
    assert.equal(keySet.fingerprint('hmac'), undefined);
  });

  it('refuses a token signed by a private key the issuer leaked', async () => {
    const { keySet } = await load();
    await assert.rejects(jwtVerify(await signToken(leaked), keySet.getKey), {
      code: 'ERR_TOKEN_KEY_UNKNOWN',
    });
  });

  it('refuses HS256 with the published symmetric key', async () => {
    const { keySet } = await load();
    const token = await new SignJWT({ sub: 'x' })
      .setProtectedHeader({ alg: 'HS256', kid: 'hmac' })
      .sign(OCT_SECRET);
    await assert.rejects(jwtVerify(token, keySet.getKey), { code: 'ERR_TOKEN_ALG_NOT_ALLOWED' });
  });

  it('refuses HS256 signed with the public key (alg confusion) without fetching', async () => {
    const { keySet } = await load();
    const before = issuer.requestCount();
    for (const form of ['pem', 'der', 'jwk-json'] as const) {
      const token = await hmacWithPublicKeyToken(good, form);
      await assert.rejects(jwtVerify(token, keySet.getKey), {
        code: 'ERR_TOKEN_ALG_NOT_ALLOWED',
      });
    }
    assert.equal(issuer.requestCount(), before);
  });

  it('refuses alg none without fetching', async () => {
    const { keySet } = await load();
    const before = issuer.requestCount();
    await assert.rejects(keySet.getKey({ alg: 'none', kid: 'good' }), {
      code: 'ERR_TOKEN_ALG_NOT_ALLOWED',
    });
    assert.equal(issuer.requestCount(), before);
  });

  it('never fetches jku or x5u, nor trusts an embedded jwk', async () => {
    const { keySet } = await load();
    const token = await embeddedKeyToken(attacker, 'good', attackerHost.jwksUrl);
    await assert.rejects(jwtVerify(token, keySet.getKey, { algorithms: ALGORITHMS }), {
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });

    const ownKid = await embeddedKeyToken(attacker, 'attacker', attackerHost.jwksUrl);
    await assert.rejects(jwtVerify(ownKid, keySet.getKey, { algorithms: ALGORITHMS }), {
      code: 'ERR_TOKEN_KEY_UNKNOWN',
    });
    assert.equal(attackerHost.requestCount(), 0);
  });

  it('does not refetch for a known kid used with the wrong algorithm', async () => {
    const { keySet } = await load();
    const before = issuer.requestCount();
    const token = await signToken(ec, { header: { kid: 'good' } });
    await assert.rejects(jwtVerify(token, keySet.getKey, { algorithms: ALGORITHMS }), {
      code: 'ERR_TOKEN_KEY_UNKNOWN',
    });
    assert.equal(issuer.requestCount(), before);
  });

  it('refuses a kid that is not a string', async () => {
    const { keySet } = await load();
    await assert.rejects(keySet.getKey({ alg: 'RS256', kid: 7 as unknown as string }), {
      code: 'ERR_TOKEN_MALFORMED',
    });
  });

  it('resolves a kid-less token when one key fits, refuses it when several do', async () => {
    const { keySet } = await load();
    await jwtVerify(await signToken(ec, { header: { kid: undefined } }), keySet.getKey);

    issuer.publish({ ...attacker.publicJwk, kid: 'second-rsa' });
    await keySet.refresh();
    const token = await signToken(good, { header: { kid: undefined } });
    await assert.rejects(jwtVerify(token, keySet.getKey), { code: 'ERR_TOKEN_KEY_UNKNOWN' });
    issuer.unpublish('second-rsa');
  });
});
