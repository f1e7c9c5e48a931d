import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { authFortClaims, generateSigningKey, signToken, type SigningKey } from '../support/keys.js';
import { assertRefused, FakeClock, fetchCount, readyServiceAuth, startIssuer } from './harness.js';

describe('token verification across key rotation', () => {
  let oldKey: SigningKey;
  let newKey: SigningKey;

  before(async () => {
    [oldKey, newKey] = await Promise.all([generateSigningKey(), generateSigningKey()]);
  });

  it('verifies a token with a newly published kid after exactly one refetch', async (t) => {
    const issuer = await startIssuer(t, oldKey.publicJwk);
    const auth = await readyServiceAuth(t, issuer);
    assert.equal(fetchCount(issuer), 1);

    issuer.publish(newKey.publicJwk);
    assert.equal((await auth.verifyToken(await signToken(newKey))).sub, 'user-1');
    assert.equal(fetchCount(issuer), 2);

    const other = await signToken(newKey, { claims: authFortClaims({ sub: 'user-2' }) });
    assert.equal((await auth.verifyToken(other)).sub, 'user-2');
    assert.equal((await auth.verifyToken(await signToken(oldKey))).sub, 'user-1');
    assert.equal(fetchCount(issuer), 2, 'a known kid needs no fetch');
  });

  it('refetches once for many concurrent tokens naming the same new kid', async (t) => {
    const issuer = await startIssuer(t, oldKey.publicJwk);
    const auth = await readyServiceAuth(t, issuer);
    issuer.publish(newKey.publicJwk);

    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        signToken(newKey, { claims: authFortClaims({ sub: `user-${i}` }) }),
      ),
    );
    const users = await Promise.all(tokens.map((token) => auth.verifyToken(token)));
    assert.equal(users.length, 20);
    assert.equal(fetchCount(issuer), 2);
  });

  it('refuses an unknown kid after one refetch, and the cooldown bounds refetches', async (t) => {
    const clock = new FakeClock();
    const issuer = await startIssuer(t, oldKey.publicJwk);
    const auth = await readyServiceAuth(t, issuer, {
      clock: clock.now,
      jwksCooldownSeconds: 30,
    });
    const unknown = await signToken(newKey, { claims: authFortClaims({}, clock.seconds) });

    await assertRefused(auth.verifyToken(unknown), 'ERR_TOKEN_KEY_UNKNOWN', { status: 401 });
    assert.equal(fetchCount(issuer), 1, 'still cooling down from the start-up fetch');

    clock.advanceSeconds(31);
    await assertRefused(auth.verifyToken(unknown), 'ERR_TOKEN_KEY_UNKNOWN');
    assert.equal(fetchCount(issuer), 2);

    for (let i = 0; i < 10; i++) {
      await assertRefused(auth.verifyToken(unknown), 'ERR_TOKEN_KEY_UNKNOWN');
    }
    assert.equal(fetchCount(issuer), 2);

    issuer.publish(newKey.publicJwk);
    clock.advanceSeconds(31);
    assert.equal((await auth.verifyToken(unknown)).sub, 'user-1');
    assert.equal(fetchCount(issuer), 3);
  });

  it('stops verifying a removed key at the next good fetch, cached tokens included', async (t) => {
    const issuer = await startIssuer(t, oldKey.publicJwk, newKey.publicJwk);
    const auth = await readyServiceAuth(t, issuer);
    const cached = await signToken(oldKey);
    await auth.verifyToken(cached);
    await auth.verifyToken(cached);

    issuer.unpublish(oldKey.kid);
    await auth.keySet.refresh();
    assert.equal(fetchCount(issuer), 2);

    await assertRefused(auth.verifyToken(cached), 'ERR_TOKEN_KEY_UNKNOWN');
    await assertRefused(auth.verifyToken(await signToken(oldKey)), 'ERR_TOKEN_KEY_UNKNOWN');
    assert.equal((await auth.verifyToken(await signToken(newKey))).sub, 'user-1');
  });

  it('keeps the loaded keys when a refresh fails', async (t) => {
    const issuer = await startIssuer(t, oldKey.publicJwk);
    const auth = await readyServiceAuth(t, issuer);
    const token = await signToken(oldKey);

    issuer.respondOnce(issuer.jwksPath, { status: 500 });
    await auth.keySet.refresh();
    assert.equal(fetchCount(issuer), 2);
    assert.equal((await auth.verifyToken(token)).sub, 'user-1');

    issuer.respondOnce(issuer.jwksPath, { body: { keys: [] } });
    await auth.keySet.refresh();
    assert.equal((await auth.verifyToken(await signToken(oldKey))).sub, 'user-1');
  });

  it('treats a kid reused for new key material as the new key only', async (t) => {
    const issuer = await startIssuer(t, oldKey.publicJwk);
    const auth = await readyServiceAuth(t, issuer);
    const signedByOld = await signToken(oldKey);
    await auth.verifyToken(signedByOld);

    const reused: SigningKey = { ...newKey, kid: oldKey.kid };
    issuer.publish({ ...newKey.publicJwk, kid: oldKey.kid });
    await auth.keySet.refresh();

    await assertRefused(auth.verifyToken(signedByOld), 'ERR_TOKEN_SIGNATURE_INVALID');
    assert.equal((await auth.verifyToken(await signToken(reused))).sub, 'user-1');
  });
});
