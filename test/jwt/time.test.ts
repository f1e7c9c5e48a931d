import assert from 'node:assert/strict';
import { before, describe, it, type TestContext } from 'node:test';

import type { ServiceAuthOptions } from '../../src/options.js';
import { authFortClaims, generateSigningKey, signToken, type SigningKey } from '../support/keys.js';
import { assertRefused, FakeClock, readyServiceAuth, startIssuer } from './harness.js';

describe('token verification: exp, nbf and iat against a fake clock', () => {
  let key: SigningKey;

  before(async () => {
    key = await generateSigningKey();
  });

  /** A verifier on a fake clock, and a signer of AuthFort claims relative to that clock. */
  async function setUp(t: TestContext, options: Partial<ServiceAuthOptions> = {}) {
    const clock = new FakeClock();
    const issuer = await startIssuer(t, key.publicJwk);
    const auth = await readyServiceAuth(t, issuer, { clock: clock.now, ...options });
    const sign = (relative: { iat?: number; exp?: number; nbf?: number } = {}) => {
      const now = clock.seconds;
      const claims: Record<string, unknown> = {};
      for (const [claim, offset] of Object.entries(relative)) claims[claim] = now + offset;
      return signToken(key, { claims: authFortClaims(claims, now) });
    };
    return { clock, auth, sign };
  }

  it('accepts a token inside its lifetime', async (t) => {
    const { auth, sign } = await setUp(t);
    const user = await auth.verifyToken(await sign());
    assert.equal(user.sub, 'user-1');
  });

  it('refuses a token expired beyond the default 30 s skew', async (t) => {
    const { auth, sign } = await setUp(t);
    await assertRefused(
      auth.verifyToken(await sign({ iat: -600, exp: -60 })),
      'ERR_TOKEN_EXPIRED',
      {
        claim: 'exp',
        status: 401,
      },
    );
  });

  it('accepts a token expired by less than the skew, and refuses one at the skew', async (t) => {
    const { auth, sign } = await setUp(t);
    assert.equal((await auth.verifyToken(await sign({ iat: -600, exp: -29 }))).sub, 'user-1');
    await assertRefused(auth.verifyToken(await sign({ iat: -600, exp: -30 })), 'ERR_TOKEN_EXPIRED');
  });

  it('refuses a token once the clock passes exp plus the skew', async (t) => {
    const { clock, auth, sign } = await setUp(t);
    const token = await sign({ exp: 900 });
    await auth.verifyToken(token);

    clock.advanceSeconds(900 + 29);
    assert.equal((await auth.verifyToken(token)).sub, 'user-1');

    clock.advanceSeconds(2);
    await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_EXPIRED');
  });

  it('refuses nbf in the future beyond the skew, and accepts it once the time comes', async (t) => {
    const { clock, auth, sign } = await setUp(t);
    const token = await sign({ nbf: 60 });
    await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_NOT_YET_VALID', { claim: 'nbf' });

    clock.advanceSeconds(31);
    assert.equal((await auth.verifyToken(token)).sub, 'user-1');
  });

  it('accepts nbf in the future within the skew', async (t) => {
    const { auth, sign } = await setUp(t);
    assert.equal((await auth.verifyToken(await sign({ nbf: 20 }))).sub, 'user-1');
  });

  it('refuses iat in the future beyond the skew', async (t) => {
    const { clock, auth, sign } = await setUp(t);
    const token = await sign({ iat: 60, exp: 960 });
    await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_NOT_YET_VALID', {
      claim: 'iat',
      status: 401,
    });

    clock.advanceSeconds(31);
    assert.equal((await auth.verifyToken(token)).sub, 'user-1');
  });

  it('accepts iat in the future within the skew', async (t) => {
    const { auth, sign } = await setUp(t);
    assert.equal((await auth.verifyToken(await sign({ iat: 25, exp: 925 }))).sub, 'user-1');
  });

  it('honours clockSkewSeconds: 0 for exp, nbf and iat', async (t) => {
    const { auth, sign } = await setUp(t, { clockSkewSeconds: 0 });
    await assertRefused(auth.verifyToken(await sign({ iat: -60, exp: 0 })), 'ERR_TOKEN_EXPIRED');
    await assertRefused(auth.verifyToken(await sign({ nbf: 1 })), 'ERR_TOKEN_NOT_YET_VALID', {
      claim: 'nbf',
    });
    await assertRefused(
      auth.verifyToken(await sign({ iat: 1, exp: 900 })),
      'ERR_TOKEN_NOT_YET_VALID',
      { claim: 'iat' },
    );
    assert.equal((await auth.verifyToken(await sign({ iat: 0, nbf: 0, exp: 1 }))).sub, 'user-1');
  });

  it('honours a wider clockSkewSeconds', async (t) => {
    const { auth, sign } = await setUp(t, { clockSkewSeconds: 120 });
    assert.equal((await auth.verifyToken(await sign({ iat: -600, exp: -100 }))).sub, 'user-1');
    assert.equal((await auth.verifyToken(await sign({ nbf: 100 }))).sub, 'user-1');
    assert.equal((await auth.verifyToken(await sign({ iat: 100, exp: 900 }))).sub, 'user-1');
    await assertRefused(
      auth.verifyToken(await sign({ iat: -600, exp: -121 })),
      'ERR_TOKEN_EXPIRED',
    );
  });

  for (const claim of ['exp', 'nbf', 'iat']) {
    it(`refuses a non-numeric ${claim} as an invalid claim`, async (t) => {
      const { auth, clock } = await setUp(t);
      const claims = authFortClaims({ [claim]: String(clock.seconds) }, clock.seconds);
      await assertRefused(
        auth.verifyToken(await signToken(key, { claims })),
        'ERR_TOKEN_CLAIM_INVALID',
        { claim },
      );
    });
  }
});
