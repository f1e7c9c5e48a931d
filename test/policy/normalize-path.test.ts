import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { normalizePath } from '../../src/policy/index.js';
import { pathReadings } from '../../src/policy/normalize-path.js';

describe('normalizePath', () => {
  const cases: [string, string][] = [
    ['/', '/'],
    ['', '/'],
    ['/orders/42', '/orders/42'],
    ['/admin/x?y=1', '/admin/x'],
    ['/admin/x#frag', '/admin/x'],
    ['/admin/x?y#f', '/admin/x'],
    ['/a?b/../c', '/a'],
    ['//admin///x', '/admin/x'],
    ['/admin/../admin/x', '/admin/x'],
    ['/a/./b/.', '/a/b/'],
    ['/a/b/..', '/a/'],
    ['/../../admin', '/admin'],
    ['/a/%2e%2e/admin', '/admin'],
    ['/a/%2E./admin', '/admin'],
    ['/a/.%2e/admin', '/admin'],
    ['/admin%2fx', '/admin/x'],
    ['/admin%2Fx', '/admin/x'],
    ['/admin%5cx', '/admin/x'],
    ['/admin\\x', '/admin/x'],
    ['/admin;param', '/admin'],
    ['/admin;a=1/x;b', '/admin/x'],
    ['/admin/..;/public', '/public'],
    ['/%61dmin', '/admin'],
    ['/%7Euser/%41', '/~user/A'],
    ['/a%3Bb', '/a%3Bb'],
    ['/a%2db', '/a-b'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['/café', '/caf%C3%A9'],
    ['/a b', '/a%20b'],
    ['/a%zz', '/a%25zz'],
    ['/a%', '/a%25'],
    ['/ADMIN', '/ADMIN'],
    ['/admin/', '/admin/'],
    ['http://example.com/admin?x', '/admin'],
    ['https://example.com', '/'],
    ['*', '/*'],
    ['admin', '/admin'],
  ];
  for (const [raw, expected] of cases) {
    it(`reads ${JSON.stringify(raw)} as ${expected}`, () => {
      assert.equal(normalizePath(raw), expected);
    });
  }

  it('is idempotent', () => {
    for (const [raw] of cases) {
      const once = normalizePath(raw);
      assert.equal(normalizePath(once), once, raw);
    }
  });
});

describe('readings of an ambiguous path', () => {
  it('gives a plain path one reading', () => {
    assert.deepEqual(pathReadings('/orders/42/items?x=1'), [['orders', '42', 'items']]);
  });

  it('reads an encoded slash both as a separator and as part of a segment', () => {
    const readings = pathReadings('/admin/..%2Fpublic/x');
    assert.deepEqual(readings[0], ['public', 'x']);
    assert.ok(readings.some((r) => r[0] === 'admin' && r[1] === '../public'));
  });

  it('reads encoded dots both as dot segments and as names', () => {
    const readings = pathReadings('/admin/%2e%2e/public');
    assert.deepEqual(readings[0], ['public']);
    assert.ok(readings.some((r) => r[0] === 'admin'));
  });

  it('reads path parameters both cut off and kept', () => {
    const readings = pathReadings('/admin;x');
    assert.deepEqual(readings, [['admin'], ['admin;x']]);
  });

  it('includes the path as sent, dot segments unresolved', () => {
    assert.ok(pathReadings('/a/../b').some((r) => r.length === 3 && r[1] === '..'));
  });
});
