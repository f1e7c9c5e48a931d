import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import type { ResolvedKey } from '../../src/jwks/state.js';
import type { VerifiedUser } from '../../src/jwt/claims.js';
import { VerifiedTokenCache } from '../../src/jwt/token-cache.js';
import { TokenVerifier, type KeySource } from '../../src/jwt/verifier.js';
import { resolveOptions } from '../../src/options.js';
import { authFortClaims, generateSigningKey, signToken, type SigningKey } from '../support/keys.js';
import { assertRefused, FakeClock, fetchCount, readyServiceAuth, startIssuer } from './harness.js';

describe('verified-token cache', () => {
  let key: SigningKey;
  let replacement: SigningKey;

  before(async () => {
    [key, replacement] = await Promise.all([generateSigningKey(), generateSigningKey()]);
  });

  describe('through ServiceAuth', () => {
    it('answers a repeated token without another key lookup', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
      const resolveKey = t.mock.method(auth.keySet, 'resolveKey');
      const token = await signToken(key);

      const first = await auth.verifyToken(token);
      const second = await auth.verifyToken(token);
      assert.equal(resolveKey.mock.callCount(), 1);
      assert.equal(second, first);

      await auth.verifyToken(await signToken(key, { claims: authFortClaims({ sub: 'user-2' }) }));
      assert.equal(resolveKey.mock.callCount(), 2);
    });

    it('never answers from the cache at or past exp', async (t) => {
      const clock = new FakeClock();
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), {
        clock: clock.now,
        clockSkewSeconds: 0,
      });
      const resolveKey = t.mock.method(auth.keySet, 'resolveKey');
      const token = await signToken(key, { claims: authFortClaims({}, clock.seconds) });
      await auth.verifyToken(token);

      clock.advanceSeconds(899);
      await auth.verifyToken(token);
      assert.equal(resolveKey.mock.callCount(), 1, 'a cache hit just before exp');

      clock.advanceSeconds(1);
      await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_EXPIRED');
    });

    it('re-verifies a token past exp that the clock skew still admits', async (t) => {
      const clock = new FakeClock();
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), {
        clock: clock.now,
      });
      const resolveKey = t.mock.method(auth.keySet, 'resolveKey');
      const token = await signToken(key, { claims: authFortClaims({}, clock.seconds) });
      await auth.verifyToken(token);

      clock.advanceSeconds(900);
      await auth.verifyToken(token);
      assert.equal(resolveKey.mock.callCount(), 2, 'no cache hit at exp, even within the skew');

      clock.advanceSeconds(30);
      await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_EXPIRED');
    });

    it('keeps nothing with tokenCacheSize 0', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), {
        tokenCacheSize: 0,
      });
      const resolveKey = t.mock.method(auth.keySet, 'resolveKey');
      const token = await signToken(key);

      const first = await auth.verifyToken(token);
      const second = await auth.verifyToken(token);
      assert.equal(resolveKey.mock.callCount(), 2);
      assert.notEqual(second, first);
      assert.deepEqual(second, first);
    });

    it('evicts the least recently used token beyond tokenCacheSize', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), {
        tokenCacheSize: 2,
      });
      const resolveKey = t.mock.method(auth.keySet, 'resolveKey');
      const [a, b, c] = await Promise.all(
        ['a', 'b', 'c'].map((sub) => signToken(key, { claims: authFortClaims({ sub }) })),
      );

      for (const token of [a, b, a, c]) await auth.verifyToken(token as string);
      assert.equal(resolveKey.mock.callCount(), 3, 'a, b, c verified; a answered from the cache');

      await auth.verifyToken(a as string);
      assert.equal(resolveKey.mock.callCount(), 3, 'a was used last, so b was evicted');
      await auth.verifyToken(b as string);
      assert.equal(resolveKey.mock.callCount(), 4);
    });

    it('does not cache a token without kid', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
      const resolveKey = t.mock.method(auth.keySet, 'resolveKey');
      const token = await signToken(key, { header: { kid: undefined } });

      await auth.verifyToken(token);
      await auth.verifyToken(token);
      assert.equal(resolveKey.mock.callCount(), 2);
    });

    it('does not cache refusals', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
      const resolveKey = t.mock.method(auth.keySet, 'resolveKey');
      const token = await signToken(key, { claims: authFortClaims({ ver: 'one' }) });

      await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_CLAIM_INVALID');
      await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_CLAIM_INVALID');
      assert.equal(resolveKey.mock.callCount(), 2);
    });

    it('does not answer for a token whose key left the key set', async (t) => {
      const issuer = await startIssuer(t, key.publicJwk, replacement.publicJwk);
      const auth = await readyServiceAuth(t, issuer);
      const token = await signToken(key);
      await auth.verifyToken(token);
      await auth.verifyToken(token);

      issuer.unpublish(key.kid);
      await auth.keySet.refresh();
      await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_KEY_UNKNOWN');
    });

    it('does not answer for a token whose kid now names other key material', async (t) => {
      const issuer = await startIssuer(t, key.publicJwk);
      const auth = await readyServiceAuth(t, issuer);
      const token = await signToken(key);
      await auth.verifyToken(token);

      issuer.publish({ ...replacement.publicJwk, kid: key.kid });
      await auth.keySet.refresh();
      await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_SIGNATURE_INVALID');
      assert.equal(fetchCount(issuer), 2);
    });
  });

  describe('against a key set that rotates mid-verification', () => {
    it('does not cache a token whose key was replaced during its signature check', async () => {
      const kid = 'shared-kid';
      let published = { key: key.publicKey, fingerprint: 'thumbprint-1' };
      let rotated = false;
      const keys: KeySource = {
        async resolveKey(): Promise<ResolvedKey> {
          const handedOut = published;
          if (!rotated) {
            rotated = true;
            // The issuer's new key set lands while the signature check is still running: a
            // few microtasks on, long before WebCrypto answers on a later turn of the loop.
            let chain = Promise.resolve();
            for (let i = 0; i < 50; i++) chain = chain.then(() => undefined);
            void chain.then(() => {
              published = { key: replacement.publicKey, fingerprint: 'thumbprint-2' };
            });
          }
          return { key: handedOut.key, fingerprint: handedOut.fingerprint };
        },
        fingerprint: (asked) => (asked === kid ? published.fingerprint : undefined),
      };
      const verifier = new TokenVerifier(
        resolveOptions({ jwksUrl: 'https://issuer.invalid/' }),
        keys,
      );
      const token = await signToken(key, { header: { kid } });

      assert.equal((await verifier.verify(token)).sub, 'user-1');
      assert.equal(rotated, true);
      await assertRefused(verifier.verify(token), 'ERR_TOKEN_SIGNATURE_INVALID');
    });
  });

  describe('VerifiedTokenCache', () => {
    const user = (sub: string, expiresAt = 2_000_000_000): VerifiedUser =>
      ({ sub, roles: [], issuer: 'authfort', expiresAt, claims: {} }) as VerifiedUser;

    it('serves an entry only while its kid keeps the same fingerprint', () => {
      let fingerprint: string | undefined = 'fp-1';
      const cache = new VerifiedTokenCache(10, () => fingerprint);
      cache.set('t', user('a'), 'kid', 'fp-1');

      assert.equal(cache.get('t', 0)?.sub, 'a');
      fingerprint = 'fp-2';
      assert.equal(cache.get('t', 0), undefined);
      fingerprint = 'fp-1';
      assert.equal(cache.get('t', 0), undefined, 'a mismatch drops the entry for good');
    });

    it('does not keep an entry whose key changed before it was stored', () => {
      const cache = new VerifiedTokenCache(10, () => 'fp-2');
      cache.set('t', user('a'), 'kid', 'fp-1');
      assert.equal(cache.size, 0);
    });

    it('serves an entry strictly before exp', () => {
      const cache = new VerifiedTokenCache(10, () => 'fp');
      cache.set('t', user('a', 100), 'kid', 'fp');

      assert.equal(cache.get('t', 99_999)?.sub, 'a');
      assert.equal(cache.get('t', 100_000), undefined);
      assert.equal(cache.size, 0);
    });

    it('keeps nothing at capacity 0, or without a kid or a fingerprint', () => {
      new VerifiedTokenCache(0, () => 'fp').set('t', user('a'), 'kid', 'fp');
      const cache = new VerifiedTokenCache(10, (kid) => (kid === 'kid' ? 'fp' : undefined));
      cache.set('t1', user('a'), undefined, 'fp');
      cache.set('t2', user('a'), 'other', undefined);
      assert.equal(cache.size, 0);
    });
  });
});
