import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PathPattern } from '../../src/policy/index.js';
import { pathReadings } from '../../src/policy/normalize-path.js';
import { assertPolicyError } from './helpers.js';

function matches(pattern: string, path: string, caseSensitive = true): boolean {
  const [segments] = pathReadings(path);
  const compiled = new PathPattern(pattern, 'routes[0].path', caseSensitive);
  return compiled.matches(
    caseSensitive ? (segments ?? []) : (segments ?? []).map((s) => s.toLowerCase()),
  );
}

describe('path patterns', () => {
  const table: [string, string, boolean][] = [
    ['/orders', '/orders', true],
    ['/orders', '/orders/', true],
    ['/orders/', '/orders', true],
    ['/orders', '/orders/1', false],
    ['/orders', '/order', false],
    ['/orders', '/Orders', false],
    ['/', '/', true],
    ['/', '/a', false],
    ['/orders/*', '/orders/1', true],
    ['/orders/*', '/orders', false],
    ['/orders/*', '/orders/1/2', false],
    ['/orders/*/items', '/orders/42/items', true],
    ['/orders/*/items', '/orders/items', false],
    ['/orders/*/items', '/orders/1/2/items', false],
    ['/admin/**', '/admin', true],
    ['/admin/**', '/admin/', true],
    ['/admin/**', '/admin/x', true],
    ['/admin/**', '/admin/x/y/z', true],
    ['/admin/**', '/administrator', false],
    ['/admin/**', '/', false],
    ['/**', '/', true],
    ['/**', '/anything/at/all', true],
    ['/api/**/export', '/api/export', true],
    ['/api/**/export', '/api/a/b/export', true],
    ['/api/**/export', '/api/a/b/export/x', false],
    ['/api/**/v1/**', '/api/x/v1', true],
    ['/api/**/**', '/api', true],
    ['/*/**', '/', false],
    ['/*/**', '/a', true],
    ['/caf%C3%A9', '/café', true],
    ['/café', '/caf%c3%a9', true],
    ['/%61bc', '/abc', true],
  ];
  for (const [pattern, path, expected] of table) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${path}`, () => {
      assert.equal(matches(pattern, path), expected);
    });
  }

  it('can compare case-insensitively', () => {
    assert.equal(matches('/Admin/**', '/ADMIN/x', false), true);
  });

  it('matches a long path against many wildcards in linear-ish time', () => {
    const pattern = new PathPattern('/**/a/**/b/**/c/**/d', 'k');
    const segments = Array.from({ length: 5000 }, () => 'x');
    const start = process.hrtime.bigint();
    assert.equal(pattern.matches(segments), false);
    assert.ok(process.hrtime.bigint() - start < 2_000_000_000n);
  });

  const invalid = [
    'admin',
    '',
    '/a?b',
    '/a#b',
    '/a b',
    '/a\tb',
    '/a\\b',
    '/a%2fb',
    '/a%5Cb',
    '/a;b',
    '/a%zz',
    '/a%4',
    '/a//b',
    '/a/./b',
    '/a/../b',
    '/a/%2e%2e/b',
    '/a*',
    '/*a',
    '/***',
    '/a/b*c',
  ];
  for (const pattern of invalid) {
    it(`refuses ${JSON.stringify(pattern)}`, () => {
      assertPolicyError(() => new PathPattern(pattern, 'routes[3].path'), 'routes[3].path');
    });
  }
});
