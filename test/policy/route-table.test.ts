import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RouteTable, type RouteRule } from '../../src/policy/index.js';
import { assertPolicyError } from './helpers.js';

const RULES: RouteRule[] = [
  { path: '/admin/public/**' },
  { path: '/admin/**', roles: ['admin'], introspect: true },
  { path: '/orders/*/items', methods: ['GET'], roles: ['user', 'auditor'] },
  { path: '/orders/*/items', methods: ['POST', 'DELETE'], roles: ['clerk'] },
];

describe('route table', () => {
  const table = new RouteTable(RULES);

  it('returns undefined when no rule matches, or when there are no rules', () => {
    assert.equal(table.match('GET', '/elsewhere'), undefined);
    assert.equal(new RouteTable([]).match('GET', '/admin'), undefined);
    assert.equal(new RouteTable([]).size, 0);
    assert.equal(table.size, 4);
  });

  it('lets the first matching rule decide', () => {
    assert.deepEqual(table.match('GET', '/admin/public/logo.png'), {
      roleSets: [],
      introspect: false,
    });
    assert.deepEqual(table.match('GET', '/admin/users'), {
      roleSets: [['admin']],
      introspect: true,
    });
  });

  it('matches methods upper-case and skips rules for other methods', () => {
    assert.deepEqual(table.match('get', '/orders/7/items')?.roleSets, [['user', 'auditor']]);
    assert.deepEqual(table.match('delete', '/orders/7/items')?.roleSets, [['clerk']]);
    assert.equal(table.match('PATCH', '/orders/7/items'), undefined);
  });

  it('applies a GET rule to HEAD, which frameworks route to GET handlers', () => {
    assert.deepEqual(table.match('HEAD', '/orders/7/items')?.roleSets, [['user', 'auditor']]);
  });

  it('ignores the query string and a trailing slash', () => {
    assert.deepEqual(table.match('GET', '/orders/7/items/?x=/admin')?.roleSets, [
      ['user', 'auditor'],
    ]);
  });

  it('matches letter case both ways by default, so /ADMIN cannot dodge /admin/**', () => {
    assert.deepEqual(table.match('GET', '/Orders/7/items')?.roleSets, [['user', 'auditor']]);
    assert.deepEqual(table.match('GET', '/ADMIN/Users')?.roleSets, [['admin']]);
  });

  it('never lets an earlier case-folded rule shadow a later exact one', () => {
    const rules = [
      { path: '/API/**', roles: [] },
      { path: '/api/admin/**', roles: ['admin'] },
    ];
    // Exactly, /api/admin/x hits the second rule; folded, the first. The strictest applies.
    assert.deepEqual(new RouteTable(rules).match('GET', '/api/admin/x')?.roleSets, [['admin']]);
    assert.deepEqual(
      new RouteTable(rules, { caseSensitive: false }).match('GET', '/api/admin/x')?.roleSets,
      [],
    );
  });

  it('can compare case exactly, as Envoy and NGINX route', () => {
    const exact = new RouteTable(RULES, { caseSensitive: true });
    assert.equal(exact.match('GET', '/Orders/7/items'), undefined);
  });

  it('can match case-insensitively for a case-insensitive backend', () => {
    const relaxed = new RouteTable(RULES, { caseSensitive: false });
    assert.deepEqual(relaxed.match('GET', '/ADMIN/Users')?.roleSets, [['admin']]);
    assert.deepEqual(relaxed.match('GET', '/Admin/PUBLIC/x')?.roleSets, []);
  });

  it('refuses malformed rules with a key naming the rule', () => {
    assertPolicyError(() => new RouteTable([{ path: '/a' }, { path: 'b' }]), 'routes[1].path');
    assertPolicyError(() => new RouteTable([{ path: '/a', methods: [] }]), 'routes[0].methods');
    assertPolicyError(
      () => new RouteTable([{ path: '/a', methods: ['GET /'] }]),
      'routes[0].methods',
    );
    assertPolicyError(() => new RouteTable([{ path: '/a', roles: [' '] }]), 'routes[0].roles');
  });
});
