import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadConfig } from '../../src/config/index.js';
import { assertConfigError, tempDir } from './helpers.js';

const { write } = tempDir();
const fromFile = (yaml: string) =>
  loadConfig({ env: {}, configPath: write('a.yaml', `jwksUrl: https://a.example/j\n${yaml}`) });

describe('route rules in the file', () => {
  it('reads rules in order with their optional fields', () => {
    const config = fromFile(`
routes:
  - path: /admin/**
    methods: get, post
    roles: admin
  - path: /orders/*/items
    roles: [user, auditor]
    introspect: false
  - path: /health
`);
    assert.deepEqual(config.routes, [
      { path: '/admin/**', methods: ['GET', 'POST'], roles: ['admin'] },
      { path: '/orders/*/items', roles: ['user', 'auditor'], introspect: false },
      { path: '/health' },
    ]);
  });

  const bad: [string, string][] = [
    ['routes: /admin\n', 'routes'],
    ['routes:\n  - /admin\n', 'routes[0]'],
    ['routes:\n  - roles: [a]\n', 'routes[0].path'],
    ['routes:\n  - path: /a\n  - path: admin\n', 'routes[1].path'],
    ['routes:\n  - path: /a/../b\n', 'routes[0].path'],
    ['routes:\n  - path: /a//b\n', 'routes[0].path'],
    ['routes:\n  - path: /a*\n', 'routes[0].path'],
    ['routes:\n  - path: /a?x=1\n', 'routes[0].path'],
    ['routes:\n  - path: /a%2Fb\n', 'routes[0].path'],
    ['routes:\n  - path: /a;b\n', 'routes[0].path'],
    ['routes:\n  - path: /a\n    methods: []\n', 'routes[0].methods'],
    ['routes:\n  - path: /a\n    methods: ["GE T"]\n', 'routes[0].methods'],
    ['routes:\n  - path: /a\n    roles: [[admin]]\n', 'routes[0].roles[0]'],
    ['routes:\n  - path: /a\n    introspect: "true"\n', 'routes[0].introspect'],
    ['routes:\n  - path: /a\n    role: admin\n', 'routes[0].role'],
  ];
  for (const [yaml, key] of bad) {
    it(`refuses ${JSON.stringify(yaml.slice(8).trim())} as ${key}`, () => {
      assertConfigError(() => fromFile(yaml), key);
    });
  }

  it('refuses a non-boolean routeMatching.caseSensitive', () => {
    assertConfigError(
      () => fromFile('routeMatching:\n  caseSensitive: "no"\n'),
      'routeMatching.caseSensitive',
    );
  });
});
