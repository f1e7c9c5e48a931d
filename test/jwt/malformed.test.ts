import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { createPrivateKey, sign } from 'node:crypto';

import { base64url, CompactSign } from 'jose';

import { isAuthFortError } from '../../src/errors.js';
import {
  authFortClaims,
  craftToken,
  generateSigningKey,
  signToken,
  withTamperedPayload,
  type SigningKey,
} from '../support/keys.js';
import { assertRefused, fetchCount, readyServiceAuth, startIssuer } from './harness.js';

const encode = (text: string) => base64url.encode(text);

/** Signs raw payload bytes, which need not be a JSON object. */
async function signRaw(key: SigningKey, payload: string): Promise<string> {
  return new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}

/**
 * Signs with any protected header (RS256 keys only): jose refuses to produce a `crit` it does
 * not understand, but an attacker's tooling does not.
 */
function signWithHeader(key: SigningKey, header: Record<string, unknown>): string {
  const privateKey = createPrivateKey({ key: key.privateJwk as never, format: 'jwk' });
  const protectedHeader = encode(JSON.stringify({ alg: 'RS256', kid: key.kid, ...header }));
  const input = `${protectedHeader}.${encode(JSON.stringify(authFortClaims()))}`;
  return `${input}.${base64url.encode(sign('sha256', Buffer.from(input), privateKey))}`;
}

/** mulberry32: a small seeded generator, so a failing input can be reproduced. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

describe('token verification: malformed input', () => {
  let key: SigningKey;
  let valid: string;

  before(async () => {
    key = await generateSigningKey();
    valid = await signToken(key);
  });

  it('refuses an empty or absent token as missing', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
    for (const token of ['', undefined, null]) {
      await assertRefused(auth.verifyToken(token as string), 'ERR_TOKEN_MISSING', { status: 401 });
    }
  });

  it('refuses a token that is not a string as malformed', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
    const notStrings: unknown[] = [42, {}, [valid], true, { toString: () => valid }, Symbol('t')];
    for (const token of notStrings) {
      await assertRefused(auth.verifyToken(token as string), 'ERR_TOKEN_MALFORMED');
    }
  });

  it('refuses the wrong number of segments', async (t) => {
    const issuer = await startIssuer(t, key.publicJwk);
    const auth = await readyServiceAuth(t, issuer);
    const [header, payload, signature] = valid.split('.');
    const jwe = [
      encode(JSON.stringify({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: key.kid })),
      'ZW5jcnlwdGVka2V5',
      'aXZpdml2aXZpdg',
      'Y2lwaGVydGV4dA',
      'dGFndGFn',
    ].join('.');

    const tokens = [
      'abc',
      `${header}.${payload}`,
      `${header}.${payload}.${signature}.${signature}`,
      jwe,
      `.${payload}.${signature}`,
      `${header}..${signature}`,
      `${valid}.`,
      `.${valid}`,
      '..',
    ];
    for (const token of tokens) {
      await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_MALFORMED');
    }
    assert.equal(fetchCount(issuer), 1);
  });

  it('refuses segments that are not base64url', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
    const [header, payload, signature] = valid.split('.');
    const standardBase64 = Buffer.from(JSON.stringify({ alg: 'RS256', kid: key.kid })).toString(
      'base64',
    );

    const tokens = [
      `${header}.${payload}.${signature}==`,
      `${standardBase64}.${payload}.${signature}`,
      `${header}.${payload}+/.${signature}`,
      `${header}.${payload} .${signature}`,
      `${header}.${payload}.${signature}\n`,
      ` ${valid}`,
      `Bearer ${valid}`,
      `${header}.${payload}.${signature}%3D`,
    ];
    for (const token of tokens) {
      await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_MALFORMED');
    }
  });

  it('refuses a header that is not a JSON object', async (t) => {
    const issuer = await startIssuer(t, key.publicJwk);
    const auth = await readyServiceAuth(t, issuer);
    const [, payload, signature] = valid.split('.');

    const headers = [
      encode('not json'),
      encode('{"alg":"RS256"'),
      encode('["RS256"]'),
      encode('"RS256"'),
      encode('null'),
      encode('42'),
      'A',
      base64url.encode(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])),
    ];
    for (const header of headers) {
      await assertRefused(
        auth.verifyToken(`${header}.${payload}.${signature}`),
        'ERR_TOKEN_MALFORMED',
        {
          status: 401,
        },
      );
    }
    assert.equal(fetchCount(issuer), 1);
  });

  it('refuses a kid that is not a string', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
    for (const kid of [42, null, [key.kid], { kid: key.kid }]) {
      const token = craftToken({ alg: 'RS256', kid }, authFortClaims(), 'c2lnbmF0dXJl');
      await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_MALFORMED');
    }
  });

  it('refuses a validly signed token with a critical header extension', async (t) => {
    const issuer = await startIssuer(t, key.publicJwk);
    const auth = await readyServiceAuth(t, issuer);
    assert.equal((await auth.verifyToken(signWithHeader(key, {}))).sub, 'user-1');

    const headers = [
      { crit: ['x-ext'], 'x-ext': 1 },
      { crit: ['exp'] },
      { crit: ['b64'], b64: false },
      { crit: [] },
      { crit: 'b64' },
    ];
    for (const header of headers) {
      await assertRefused(auth.verifyToken(signWithHeader(key, header)), 'ERR_TOKEN_MALFORMED');
    }
    assert.equal(fetchCount(issuer), 1);
  });

  it('refuses a validly signed payload that is not a JSON object', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
    for (const payload of ['not json', '[{"sub":"user-1"}]', '"user-1"', 'null', '42', '']) {
      await assertRefused(auth.verifyToken(await signRaw(key, payload)), 'ERR_TOKEN_MALFORMED');
    }
  });

  it('refuses a payload that is not a JSON object under a forged signature', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
    const [header, , signature] = valid.split('.');
    for (const payload of ['not json', '["user-1"]']) {
      const token = `${header}.${encode(payload)}.${signature}`;
      await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_SIGNATURE_INVALID');
    }
  });

  it('refuses a tampered payload, header or signature', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
    const [header, payload, signature] = valid.split('.');
    const other = (await signToken(key, { claims: authFortClaims({ sub: 'user-2' }) })).split('.');
    const retyped = encode(JSON.stringify({ alg: 'RS256', kid: key.kid, typ: 'at+jwt' }));

    const tokens = [
      withTamperedPayload(valid, authFortClaims({ roles: ['admin'] })),
      `${header}.${payload}.${other[2]}`,
      `${other[0]}.${other[1]}.${signature}`,
      `${retyped}.${payload}.${signature}`,
      `${header}.${payload}.${signature?.slice(0, -10)}`,
      `${header}.${payload}.${signature}${signature}`,
    ];
    for (const token of tokens) {
      await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_SIGNATURE_INVALID');
    }
  });

  it('refuses a token over maxTokenBytes before any key lookup', async (t) => {
    const issuer = await startIssuer(t, key.publicJwk);
    const auth = await readyServiceAuth(t, issuer);
    const padding = 'x'.repeat(9000);
    const unknownKid = craftToken({ alg: 'RS256', kid: 'unknown' }, { padding }, 'c2lnbmF0dXJl');
    const signed = await signToken(key, { claims: authFortClaims({ padding }) });

    for (const token of ['a'.repeat(8193), unknownKid, signed, `${'.'.repeat(10_000)}`]) {
      await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_TOO_LARGE', { status: 401 });
    }
    assert.equal(fetchCount(issuer), 1, 'an oversized token must not trigger a fetch');
  });

  it('honours a smaller maxTokenBytes', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), {
      maxTokenBytes: valid.length - 1,
    });
    await assertRefused(auth.verifyToken(valid), 'ERR_TOKEN_TOO_LARGE');
  });

  it('refuses unicode junk', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
    const [header, payload, signature] = valid.split('.');
    const tokens = [
      '🔑.🔑.🔑',
      `${header}．${payload}．${signature}`,
      `${header}.${payload}.${signature}\u200b`,
      `${header}.${payload}.${signature?.replace(/A/g, 'Α')}`,
      '\u0000',
      '\ud800.\udfff.x',
      'é'.repeat(8000),
    ];
    for (const token of tokens) {
      await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_MALFORMED');
    }
  });

  it('rejects hundreds of random inputs with an AuthFortError, never anything else', async (t) => {
    const issuer = await startIssuer(t, key.publicJwk);
    // The default cooldown: unknown kids in the junk must not turn into a stream of fetches.
    const auth = await readyServiceAuth(t, issuer, { jwksCooldownSeconds: 30 });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    t.after(() => process.off('unhandledRejection', onUnhandled));

    const seed = 0x5eed;
    const random = seededRandom(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const chars = (alphabet: string, length: number) =>
      Array.from({ length }, () => pick([...alphabet])).join('');
    const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const junk = `${b64}.+/= \t\n{}[]":,\\\u0000é€🔑\ud800`;
    const [header = '', payload = '', signature = ''] = valid.split('.');
    const headers = [
      { alg: 'RS256', kid: key.kid },
      { alg: 'RS256', kid: chars(b64, 8) },
      { alg: 'RS256' },
      { alg: pick(['none', 'HS256', 'ES256', 'EdDSA', 'PS256', '']) },
      { alg: 'RS256', kid: key.kid, crit: ['exp'] },
      { alg: 'RS256', kid: key.kid, b64: false, crit: ['b64'] },
      { alg: 'RS256', kid: key.kid, jku: 'http://127.0.0.1:1/jwks' },
    ];
    const payloads = [
      authFortClaims({ roles: ['admin'] }),
      {},
      { sub: 1, exp: 'never' },
      authFortClaims({ iss: chars(b64, 5) }),
    ];

    // Replaces one character inside a segment, never its last one: the last character may carry
    // only padding bits, and changing those leaves the decoded bytes (and the token) valid.
    const mutate = (token: string): string => {
      const positions = [...token].flatMap((char, index) =>
        char !== '.' && token[index + 1] !== '.' && index < token.length - 1 ? [index] : [],
      );
      const at = pick(positions);
      const current = token[at] ?? '';
      const replacement = pick([...b64].filter((char) => char !== current));
      return token.slice(0, at) + replacement + token.slice(at + 1);
    };

    const generators: (() => string)[] = [
      () => chars(junk, Math.floor(random() * 120)),
      () => `${chars(b64, 20)}.${chars(b64, 40)}.${chars(b64, 40)}`,
      () => Array.from({ length: 1 + Math.floor(random() * 6) }, () => chars(b64, 12)).join('.'),
      () => craftToken(pick(headers), pick(payloads), pick(['', chars(b64, 342), signature])),
      () => `${encode(chars(junk, 30))}.${payload}.${signature}`,
      () => `${header}.${encode(chars(junk, 30))}.${signature}`,
      () => mutate(valid),
      () => valid.slice(0, Math.floor(random() * valid.length)),
      () => valid.split('.').reverse().join('.'),
    ];

    for (let i = 0; i < 400; i++) {
      const input = (generators[i % generators.length] as () => string)();
      let outcome: { resolved: unknown } | { rejected: unknown };
      try {
        outcome = { resolved: await auth.verifyToken(input) };
      } catch (error) {
        outcome = { rejected: error };
      }

      const context = `input #${i} (seed ${seed}): ${JSON.stringify(input)}`;
      assert.ok('rejected' in outcome, `resolved for ${context}`);
      const error = outcome.rejected;
      assert.ok(isAuthFortError(error), `${String(error)} for ${context}`);
      assert.notEqual(error.code, 'ERR_INTERNAL', `${String(error.cause)} for ${context}`);
      assert.equal(error.status, 401, `${error.code} for ${context}`);
    }

    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
    assert.ok(fetchCount(issuer) <= 2, `${fetchCount(issuer)} key set fetches`);
    assert.equal((await auth.verifyToken(valid)).sub, 'user-1');
  });
});
