import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RouteTable } from '../../src/policy/index.js';

const ADMIN = { roleSets: [['admin']], introspect: false };

describe('route rules cannot be dodged by path tricks', () => {
  // Open rules around the admin rule: a trick that moved the path onto them would loosen it.
  const table = new RouteTable([
    { path: '/public/**' },
    { path: '/admin/**', roles: ['admin'] },
    { path: '/**' },
  ]);

  const tricks = [
    '/admin',
    '/admin/',
    '/admin/x',
    '/admin/../admin/x',
    '/public/../admin/x',
    '//admin/x',
    '///admin//x',
    '/./admin/x',
    '/admin%2fx',
    '/admin%2Fx',
    '/admin%5cx',
    '/admin\\x',
    '/admin/x?y',
    '/admin/x#f',
    '/admin;param',
    '/admin;param/x',
    '/public/..;/admin/x',
    '/public/%2e%2e/admin/x',
    '/public/%2E%2E/admin/x',
    '/public/.%2e/admin/x',
    '/public/..%2Fadmin/x',
    '/public%2F..%2Fadmin/x',
    '/%61dmin/x',
    '/%61%64%6d%69%6e',
    'http://evil.example/admin/x',
    'admin/x',
  ];
  for (const path of tricks) {
    it(`guards ${JSON.stringify(path)}`, () => {
      assert.deepEqual(table.match('GET', path), ADMIN);
    });
  }

  // A backend that keeps escaped dots or slashes, or ignores `;`, reads these under /admin
  // although the fully normalised path is public; the strictest reading wins.
  const ambiguous = [
    '/admin/%2e%2e/public/x',
    '/admin/..%2Fpublic/x',
    '/admin/..;/public/x',
    '/admin;x/../public/x',
  ];
  for (const path of ambiguous) {
    it(`guards ${JSON.stringify(path)}, which some backends read under /admin`, () => {
      assert.deepEqual(table.match('GET', path), ADMIN);
    });
  }

  it('cannot be dodged by letter case: /ADMIN and /%41DMIN hit /admin/**', () => {
    assert.deepEqual(table.match('GET', '/ADMIN/x'), ADMIN);
    assert.deepEqual(table.match('GET', '/%41DMIN/x'), ADMIN);
    const exact = new RouteTable([{ path: '/admin/**', roles: ['admin'] }], {
      caseSensitive: true,
    });
    assert.deepEqual(exact.match('GET', '/ADMIN/x'), undefined);
  });

  it('merges the policies of rules different readings hit', () => {
    const strict = new RouteTable([
      { path: '/a/*', roles: ['x'] },
      { path: '/b/**', roles: ['y'], introspect: true },
    ]);
    assert.deepEqual(strict.match('GET', '/a/..%2Fb'), {
      roleSets: [['y'], ['x']],
      introspect: true,
    });
  });

  it('gives a plain path exactly the policy of its first rule', () => {
    assert.deepEqual(table.match('GET', '/public/x'), { roleSets: [], introspect: false });
  });
});
