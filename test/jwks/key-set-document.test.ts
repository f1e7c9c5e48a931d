import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import type { JWK } from 'jose';

import { selectUsableKeys, skipReason } from '../../src/jwks/key-set-document.js';
import { generateSigningKey, type SigningKey } from '../support/keys.js';

describe('selectUsableKeys', () => {
  let rsa: SigningKey;
  let ec: SigningKey;
  let ed: SigningKey;
  let ps: SigningKey;

  before(async () => {
    [rsa, ec, ed, ps] = await Promise.all([
      generateSigningKey('RS256'),
      generateSigningKey('ES256'),
      generateSigningKey('EdDSA'),
      generateSigningKey('PS256'),
    ]);
  });

  it('keeps the public signature keys of every accepted algorithm', () => {
    const document = { keys: [rsa.publicJwk, ec.publicJwk, ed.publicJwk, ps.publicJwk] };
    const { keys, skipped } = selectUsableKeys(document);
    assert.equal(keys.length, 4);
    assert.deepEqual(skipped, []);
  });

  it('keeps keys without use, alg or kid (all optional in RFC 7517)', () => {
    const { kty, n, e } = rsa.publicJwk;
    assert.equal(selectUsableKeys({ keys: [{ kty, n, e }] }).keys.length, 1);
  });

  it('skips a symmetric key', () => {
    const oct: JWK = { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ', kid: 'hmac' };
    const { keys, skipped } = selectUsableKeys({ keys: [oct, rsa.publicJwk] });
    assert.deepEqual(keys, [rsa.publicJwk]);
    assert.deepEqual(skipped, [{ index: 0, kid: 'hmac', reason: 'symmetric' }]);
  });

  it('skips a private key outright rather than using its public half', () => {
    const document = { keys: [rsa.privateJwk, ec.privateJwk, ed.publicJwk] };
    const { keys, skipped } = selectUsableKeys(document);
    assert.deepEqual(keys, [ed.publicJwk]);
    assert.deepEqual(
      skipped.map((key) => key.reason),
      ['private', 'private'],
    );
  });

  it('skips keys meant for encryption', () => {
    assert.equal(skipReason({ ...rsa.publicJwk, use: 'enc' }), 'not-for-signatures');
    assert.equal(skipReason({ ...rsa.publicJwk, key_ops: ['encrypt'] }), 'not-for-signatures');
    assert.equal(skipReason({ ...rsa.publicJwk, key_ops: 'verify' }), 'not-for-signatures');
    assert.equal(skipReason({ ...rsa.publicJwk, key_ops: ['verify'] }), undefined);
  });

  it('skips X25519 keys, which are for key agreement', () => {
    const x25519 = { kty: 'OKP', crv: 'X25519', x: 'hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo' };
    assert.equal(skipReason(x25519), 'not-for-signatures');
  });

  it('skips malformed keys', () => {
    const { n } = rsa.publicJwk;
    const cases: unknown[] = [
      null,
      'key',
      [rsa.publicJwk],
      { n },
      { kty: 'RSA', n },
      { kty: 'RSA', n, e: '!!!' },
      { kty: 'RSA', n: 'AQAB', e: 'AQAB' },
      { kty: 'EC', crv: 'P-999', x: 'AA', y: 'AA' },
      { kty: 'WAT' },
      { ...rsa.publicJwk, kid: 7 },
    ];
    for (const candidate of cases) {
      assert.equal(skipReason(candidate), 'malformed', JSON.stringify(candidate));
    }
  });

  it('refuses a document without a keys array', () => {
    for (const document of [null, [], 'keys', {}, { keys: {} }, { keys: 'x' }]) {
      assert.throws(() => selectUsableKeys(document, 'https://issuer.test/jwks'), {
        code: 'ERR_JWKS_INVALID',
        url: 'https://issuer.test/jwks',
      });
    }
  });

  it('refuses an empty key set instead of revoking every key', () => {
    assert.throws(() => selectUsableKeys({ keys: [] }), { code: 'ERR_JWKS_INVALID' });
  });

  it('refuses a key set with no usable key', () => {
    const oct = { kty: 'oct', k: 'c2VjcmV0' };
    assert.throws(() => selectUsableKeys({ keys: [oct, rsa.privateJwk] }), {
      code: 'ERR_JWKS_INVALID',
    });
  });
});
