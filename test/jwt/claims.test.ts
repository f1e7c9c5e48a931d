import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import {
  authFortClaims,
  generateSigningKey,
  mfaChallengeClaims,
  signToken,
  type SigningKey,
} from '../support/keys.js';
import { assertRefused, readyServiceAuth, startIssuer } from './harness.js';

describe('token verification: required claims and the verified user', () => {
  let key: SigningKey;
  const sign = (claims: Record<string, unknown>) => signToken(key, { claims });

  before(async () => {
    key = await generateSigningKey();
  });

  describe('the default AuthFort profile', () => {
    for (const claim of ['email', 'roles', 'ver', 'iat', 'sub', 'exp', 'iss']) {
      it(`refuses an access token without ${claim}`, async (t) => {
        const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
        const token = await sign(authFortClaims({ [claim]: undefined }));
        await assertRefused(auth.verifyToken(token), 'ERR_TOKEN_CLAIM_MISSING', {
          claim,
          status: 401,
        });
      });
    }

    it('accepts a token without the optional name, sid and mfa_enabled', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
      const claims = authFortClaims({ name: undefined, sid: undefined, mfa_enabled: undefined });
      const user = await auth.verifyToken(await sign(claims));

      assert.equal(user.name, undefined);
      assert.equal(user.sessionId, undefined);
      assert.equal(user.mfaEnabled, undefined);
    });

    it('never accepts an MFA challenge token signed by the same key', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
      const error = await assertRefused(
        auth.verifyToken(await sign(mfaChallengeClaims())),
        'ERR_TOKEN_CLAIM_MISSING',
      );
      assert.ok(['email', 'roles', 'ver'].includes(error.claim ?? ''), `claim ${error.claim}`);
    });
  });

  describe('overridden requiredClaims', () => {
    it('still refuses an MFA challenge token when only sub is required', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), {
        requiredClaims: ['sub'],
      });
      await assertRefused(
        auth.verifyToken(await sign(mfaChallengeClaims())),
        'ERR_TOKEN_CLAIM_INVALID',
        {
          claim: 'purpose',
        },
      );
    });

    it('refuses an MFA challenge token even with every access-token claim', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
      const claims = authFortClaims({ purpose: 'mfa_challenge' });
      await assertRefused(auth.verifyToken(await sign(claims)), 'ERR_TOKEN_CLAIM_INVALID', {
        claim: 'purpose',
      });
    });

    it('accepts purpose "access" and refuses any other purpose', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), {
        requiredClaims: ['sub'],
      });
      assert.equal(
        (await auth.verifyToken(await sign(authFortClaims({ purpose: 'access' })))).sub,
        'user-1',
      );

      for (const purpose of ['refresh', 'password_reset', '', null, 1, ['access']]) {
        await assertRefused(
          auth.verifyToken(await sign(authFortClaims({ purpose }))),
          'ERR_TOKEN_CLAIM_INVALID',
          { claim: 'purpose' },
        );
      }
    });

    for (const claim of ['exp', 'sub', 'iss']) {
      it(`always requires ${claim}, even when requiredClaims is ['email']`, async (t) => {
        const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), {
          requiredClaims: ['email'],
        });
        await assertRefused(
          auth.verifyToken(await sign(authFortClaims({ [claim]: undefined }))),
          'ERR_TOKEN_CLAIM_MISSING',
          { claim },
        );
      });
    }

    it('accepts a token without the AuthFort claims it no longer requires', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), {
        requiredClaims: ['email'],
      });
      const claims = authFortClaims({ roles: undefined, ver: undefined, iat: undefined });
      const user = await auth.verifyToken(await sign(claims));

      assert.deepEqual(user.roles, []);
      assert.equal(user.tokenVersion, undefined);
      assert.equal(user.issuedAt, undefined);
    });

    it('requires dotted claims inside objects', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), {
        requiredClaims: ['sub', 'realm_access.roles', 'tenant.id'],
      });
      const base = { realm_access: { roles: ['user'] }, tenant: { id: 't-1' } };
      assert.equal((await auth.verifyToken(await sign(authFortClaims(base)))).sub, 'user-1');

      const missing: [Record<string, unknown>, string][] = [
        [{ realm_access: undefined }, 'realm_access.roles'],
        [{ realm_access: {} }, 'realm_access.roles'],
        [{ realm_access: { roles: null } }, 'realm_access.roles'],
        [{ realm_access: ['roles'] }, 'realm_access.roles'],
        [{ tenant: 't-1' }, 'tenant.id'],
        [{ tenant: { ID: 't-1' } }, 'tenant.id'],
        [{ 'tenant.id': 't-1', tenant: undefined }, 'tenant.id'],
      ];
      for (const [overrides, claim] of missing) {
        await assertRefused(
          auth.verifyToken(await sign(authFortClaims({ ...base, ...overrides }))),
          'ERR_TOKEN_CLAIM_MISSING',
          { claim },
        );
      }
    });

    it('does not let inherited properties satisfy a required claim', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), {
        requiredClaims: ['sub', 'constructor', 'realm_access.toString'],
      });
      const claims = authFortClaims({ realm_access: { roles: [] } });
      await assertRefused(auth.verifyToken(await sign(claims)), 'ERR_TOKEN_CLAIM_MISSING', {
        claim: 'constructor',
      });

      await assertRefused(
        auth.verifyToken(await sign({ ...claims, constructor: 'x' })),
        'ERR_TOKEN_CLAIM_MISSING',
        { claim: 'realm_access.toString' },
      );
    });
  });

  describe('the verified user', () => {
    it('carries every identity field and every raw claim', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
      const claims = authFortClaims({
        sub: 'user-42',
        email: 'grace@example.com',
        name: 'Grace Hopper',
        roles: ['admin', 'user'],
        ver: 7,
        sid: 'session-9',
        mfa_enabled: true,
        tenant: { id: 't-1' },
        custom: 'kept',
      });
      const user = await auth.verifyToken(await sign(claims));

      assert.equal(user.sub, 'user-42');
      assert.equal(user.email, 'grace@example.com');
      assert.equal(user.name, 'Grace Hopper');
      assert.deepEqual(user.roles, ['admin', 'user']);
      assert.equal(user.tokenVersion, 7);
      assert.equal(user.sessionId, 'session-9');
      assert.equal(user.mfaEnabled, true);
      assert.equal(user.issuer, 'authfort');
      assert.equal(user.issuedAt, claims.iat);
      assert.equal(user.expiresAt, claims.exp);
      assert.deepEqual(user.claims, claims);
    });

    it('is frozen down to nested claims, so a cached answer cannot be altered', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
      const token = await sign(authFortClaims({ realm_access: { roles: ['user'] } }));
      const user = await auth.verifyToken(token);

      assert.ok(Object.isFrozen(user));
      assert.ok(Object.isFrozen(user.roles));
      assert.ok(Object.isFrozen(user.claims));
      const realmRoles = (user.claims['realm_access'] as { roles: string[] }).roles;
      assert.throws(() => realmRoles.push('admin'), TypeError);
      assert.throws(() => (user.roles as string[]).push('admin'), TypeError);

      const again = await auth.verifyToken(token);
      assert.deepEqual(again.claims['realm_access'], { roles: ['user'] });
      assert.deepEqual(again.roles, ['user']);
    });

    const wrongTypes: [string, unknown][] = [
      ['ver', '1'],
      ['ver', 1.5],
      ['ver', null],
      ['mfa_enabled', 'true'],
      ['mfa_enabled', 1],
      ['email', 42],
      ['email', null],
      ['name', ['Ada']],
      ['sid', 7],
      ['sub', 123],
      ['sub', ''],
    ];
    for (const [claim, value] of wrongTypes) {
      it(`refuses ${claim}: ${JSON.stringify(value)} as an invalid claim`, async (t) => {
        const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
        await assertRefused(
          auth.verifyToken(await sign(authFortClaims({ [claim]: value }))),
          'ERR_TOKEN_CLAIM_INVALID',
          { claim },
        );
      });
    }
  });
});
