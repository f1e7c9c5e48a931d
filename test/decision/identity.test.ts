/**
 * Identity headers: which are set on allow, which are removed, and that no claim value can
 * break out of its header.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DEFAULT_IDENTITY_HEADERS,
  identityHeaders,
  type IdentityHeader,
} from '../../src/decision/identity.js';
import type { VerifiedUser } from '../../src/jwt/claims.js';

function userWith(claims: Record<string, unknown>, roles: readonly string[] = []): VerifiedUser {
  return {
    sub: typeof claims['sub'] === 'string' ? claims['sub'] : 'user-1',
    roles,
    issuer: 'authfort',
    expiresAt: 0,
    claims,
  };
}

describe('identityHeaders', () => {
  it('sets x-user-id, x-user-email and x-user-roles by default', () => {
    const user = userWith({ sub: 'user-1', email: 'ada@example.com' }, ['admin', 'user']);

    assert.deepEqual(identityHeaders(user), {
      set: [
        ['x-user-id', 'user-1'],
        ['x-user-email', 'ada@example.com'],
        ['x-user-roles', 'admin,user'],
      ],
      remove: [],
    });
  });

  it('removes a managed header whose claim the token lacks', () => {
    const { set, remove } = identityHeaders(userWith({ sub: 'user-1' }, ['user']));

    assert.deepEqual(remove, ['x-user-email']);
    assert.deepEqual(
      set.map(([name]) => name),
      ['x-user-id', 'x-user-roles'],
    );
  });

  it('removes x-user-roles for a token with no roles', () => {
    const { remove } = identityHeaders(userWith({ sub: 'user-1', email: 'a@b.c' }, []));
    assert.deepEqual(remove, ['x-user-roles']);
  });

  it('drops a value holding CR or LF and lists the header for removal', () => {
    for (const email of ['a@b.c\r\nx-user-roles: admin', 'a@b.c\n', '\ra@b.c']) {
      const { set, remove } = identityHeaders(userWith({ sub: 'user-1', email }, ['user']));
      assert.equal(
        set.find(([name]) => name === 'x-user-email'),
        undefined,
      );
      assert.ok(remove.includes('x-user-email'));
    }
  });

  it('drops a role list holding CR/LF or non-ASCII', () => {
    for (const roles of [['user', 'admin\r\nx: y'], ['usér']]) {
      const { set, remove } = identityHeaders(userWith({ sub: 'u', email: 'a@b.c' }, roles));
      assert.equal(
        set.find(([name]) => name === 'x-user-roles'),
        undefined,
      );
      assert.ok(remove.includes('x-user-roles'));
    }
  });

  it('drops non-ASCII values and NUL', () => {
    for (const email of ['adà@example.com', 'ada@例え.jp', 'a\u0000b']) {
      const { remove } = identityHeaders(userWith({ sub: 'user-1', email }, ['user']));
      assert.deepEqual(remove, ['x-user-email']);
    }
    const { remove } = identityHeaders(userWith({ sub: 'usér', email: 'a@b.c' }, ['user']));
    assert.deepEqual(remove, ['x-user-id']);
  });

  it('follows a custom mapping with dot paths, numbers and booleans', () => {
    const mapping: IdentityHeader[] = [
      { claim: 'tenant.id', header: 'x-tenant' },
      { claim: 'ver', header: 'x-token-version' },
      { claim: 'mfa_enabled', header: 'x-mfa' },
      { claim: 'groups', header: 'x-groups' },
    ];
    const user = userWith({
      sub: 'u',
      tenant: { id: 'acme' },
      ver: 3,
      mfa_enabled: false,
      groups: ['a', 'b'],
    });

    assert.deepEqual(identityHeaders(user, mapping), {
      set: [
        ['x-tenant', 'acme'],
        ['x-token-version', '3'],
        ['x-mfa', 'false'],
        ['x-groups', 'a,b'],
      ],
      remove: [],
    });
  });

  it('removes a header whose claim is an object, a mixed list or an empty string', () => {
    const mapping: IdentityHeader[] = [
      { claim: 'tenant', header: 'x-tenant' },
      { claim: 'groups', header: 'x-groups' },
      { claim: 'nickname', header: 'x-nickname' },
    ];
    const user = userWith({ sub: 'u', tenant: { id: 'acme' }, groups: ['a', 1], nickname: '' });

    assert.deepEqual(identityHeaders(user, mapping), {
      set: [],
      remove: ['x-tenant', 'x-groups', 'x-nickname'],
    });
  });

  it('never reads inherited properties through a claim path', () => {
    const mapping: IdentityHeader[] = [
      { claim: 'constructor.name', header: 'x-a' },
      { claim: '__proto__', header: 'x-b' },
      { claim: 'toString', header: 'x-c' },
    ];
    assert.deepEqual(identityHeaders(userWith({ sub: 'u' }), mapping).remove, [
      'x-a',
      'x-b',
      'x-c',
    ]);
  });

  it('reads `roles` from the verified roles, wherever the roles claim lives', () => {
    const user = userWith({ sub: 'u', realm_access: { roles: ['admin'] } }, ['admin']);
    const mapping: IdentityHeader[] = [{ claim: 'roles', header: 'x-user-roles' }];

    assert.deepEqual(identityHeaders(user, mapping).set, [['x-user-roles', 'admin']]);
  });

  it('defaults to DESIGN.md’s three headers', () => {
    assert.deepEqual(
      DEFAULT_IDENTITY_HEADERS.map(({ header }) => header),
      ['x-user-id', 'x-user-email', 'x-user-roles'],
    );
  });
});
