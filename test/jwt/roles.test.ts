import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { base64url, CompactSign } from 'jose';

import { authFortClaims, generateSigningKey, signToken, type SigningKey } from '../support/keys.js';
import { assertRefused, readyServiceAuth, startIssuer } from './harness.js';

/** A Keycloak-shaped access token: roles under `realm_access.roles`, no AuthFort claims. */
function keycloakClaims(realmAccess: unknown): Record<string, unknown> {
  return authFortClaims({
    roles: undefined,
    ver: undefined,
    email: undefined,
    realm_access: realmAccess,
  });
}

const KEYCLOAK = {
  rolesClaim: 'realm_access.roles',
  requiredClaims: ['sub', 'exp', 'iss'],
} as const;

describe('token verification: roles', () => {
  let key: SigningKey;
  const sign = (claims: Record<string, unknown>) => signToken(key, { claims });

  before(async () => {
    key = await generateSigningKey();
  });

  it('reads roles from a dotted path (Keycloak realm_access.roles)', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), KEYCLOAK);
    const user = await auth.verifyToken(await sign(keycloakClaims({ roles: ['admin', 'user'] })));

    assert.deepEqual(user.roles, ['admin', 'user']);
    assert.equal(auth.hasRole(user, ['admin']), true);
  });

  it('reads no roles when the path is absent', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), KEYCLOAK);
    for (const realmAccess of [undefined, {}, { other: ['admin'] }]) {
      const user = await auth.verifyToken(await sign(keycloakClaims(realmAccess)));
      assert.deepEqual(user.roles, []);
    }
  });

  it('does not read the top-level roles claim when the path points elsewhere', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), KEYCLOAK);
    const claims = { ...keycloakClaims({ roles: ['user'] }), roles: ['admin'] };
    assert.deepEqual((await auth.verifyToken(await sign(claims))).roles, ['user']);
  });

  const notAList: [string, unknown][] = [
    ['a string', 'admin'],
    ['an object', { 0: 'admin' }],
    ['a number', 1],
    ['null', null],
    ['true', true],
    ['a list with a number', ['admin', 1]],
    ['a list with null', [null]],
    ['a nested list', [['admin']]],
  ];
  for (const [label, roles] of notAList) {
    it(`refuses roles that are ${label}`, async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
      await assertRefused(
        auth.verifyToken(await sign(authFortClaims({ roles }))),
        'ERR_TOKEN_CLAIM_INVALID',
        { claim: 'roles' },
      );
    });
  }

  it('refuses realm_access.roles that is not a list of strings', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), KEYCLOAK);
    for (const roles of ['admin', [42], { admin: true }]) {
      await assertRefused(
        auth.verifyToken(await sign(keycloakClaims({ roles }))),
        'ERR_TOKEN_CLAIM_INVALID',
        { claim: 'realm_access.roles' },
      );
    }
  });

  for (const rolesClaim of ['__proto__', 'constructor', 'realm_access.__proto__', 'toString']) {
    it(`does not resolve the inherited path "${rolesClaim}"`, async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), {
        ...KEYCLOAK,
        rolesClaim,
      });
      const user = await auth.verifyToken(await sign(keycloakClaims({ roles: ['user'] })));
      assert.deepEqual(user.roles, []);
    });
  }

  it('does not take roles from a "__proto__" member of the token', async (t) => {
    const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk), {
      requiredClaims: ['sub'],
    });
    // JSON.stringify cannot write this member; the payload is signed as raw text.
    const claims = authFortClaims({ roles: undefined });
    const payload = JSON.stringify(claims).replace(/}$/, ',"__proto__":{"roles":["admin"]}}');
    const token = await new CompactSign(new TextEncoder().encode(payload))
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .sign(key.privateKey);
    assert.match(
      new TextDecoder().decode(base64url.decode(token.split('.')[1] ?? '')),
      /__proto__/,
    );

    const user = await auth.verifyToken(token);
    assert.deepEqual(user.roles, []);
    assert.equal(auth.hasRole(user, ['admin']), false);
    assert.equal(({} as Record<string, unknown>)['roles'], undefined);
  });

  describe('requireRole and hasRole', () => {
    it('passes when the user has any of the roles', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
      const user = await auth.verifyToken(
        await sign(authFortClaims({ roles: ['editor', 'user'] })),
      );

      assert.doesNotThrow(() => auth.requireRole(user, ['admin', 'editor']));
      assert.doesNotThrow(() => auth.requireRole(user, ['user']));
      assert.equal(auth.hasRole(user, ['admin', 'user']), true);
    });

    it('fails with ERR_ROLE_MISSING (403) when the user has none of them', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
      const user = await auth.verifyToken(await sign(authFortClaims({ roles: ['user'] })));

      assert.throws(() => auth.requireRole(user, ['admin', 'owner']), {
        name: 'AuthFortError',
        code: 'ERR_ROLE_MISSING',
        status: 403,
      });
      assert.throws(() => auth.requireRole(user, ['User']), { code: 'ERR_ROLE_MISSING' });
      assert.equal(auth.hasRole(user, ['admin', 'owner']), false);
    });

    it('fails closed on an empty list of roles', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
      const user = await auth.verifyToken(await sign(authFortClaims({ roles: ['admin'] })));

      assert.throws(() => auth.requireRole(user, []), { code: 'ERR_ROLE_MISSING', status: 403 });
      assert.equal(auth.hasRole(user, []), false);
    });

    it('fails for a user without roles', async (t) => {
      const auth = await readyServiceAuth(t, await startIssuer(t, key.publicJwk));
      const user = await auth.verifyToken(await sign(authFortClaims({ roles: [] })));

      assert.throws(() => auth.requireRole(user, ['user']), { code: 'ERR_ROLE_MISSING' });
    });
  });
});
