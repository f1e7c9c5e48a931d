import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { configWarnings, loadConfig } from '../../src/config/index.js';
import { BASE_ENV, tempDir } from './helpers.js';

const { write } = tempDir();
const keys = (warnings: readonly { key: string }[]) => warnings.map((warning) => warning.key);

function fromFile(yaml: string, env: Record<string, string> = BASE_ENV) {
  return loadConfig({ env, configPath: write('a.yaml', yaml) });
}

describe('start-up warnings', () => {
  it('has none for the plain default configuration', () => {
    assert.deepEqual(configWarnings(loadConfig({ env: BASE_ENV }), BASE_ENV), []);
  });

  it('warns that a route asking for introspection with no endpoint is answered 503', () => {
    const config = fromFile('routes:\n  - path: /a\n  - path: /admin/**\n    introspect: true\n');
    const warnings = configWarnings(config);

    assert.deepEqual(keys(warnings), ['routes[1].introspect']);
    assert.match(warnings[0]?.message ?? '', /AUTHFORT_INTROSPECT_URL is not set.*503/);
  });

  it('does not warn about introspection once an endpoint is set', () => {
    const env = {
      ...BASE_ENV,
      AUTHFORT_INTROSPECT_URL: 'https://auth.example.com/introspect',
      AUTHFORT_INTROSPECT_SECRET: 's',
    };
    const config = fromFile('routes:\n  - path: /admin/**\n    introspect: true\n', env);
    assert.deepEqual(configWarnings(config), []);
  });

  it('warns about plain http to a remote host, not to loopback', () => {
    const remote = loadConfig({
      env: {
        AUTHFORT_JWKS_URL: 'http://auth.internal/jwks',
        AUTHFORT_INTROSPECT_URL: 'http://auth.internal/introspect',
        AUTHFORT_INTROSPECT_SECRET: 's',
      },
    });
    assert.deepEqual(keys(configWarnings(remote)), [
      'AUTHFORT_JWKS_URL',
      'AUTHFORT_INTROSPECT_URL',
    ]);

    for (const host of ['localhost:3000', '127.0.0.1', '[::1]:8080']) {
      const local = loadConfig({ env: { AUTHFORT_JWKS_URL: `http://${host}/jwks` } });
      assert.deepEqual(configWarnings(local), [], host);
    }
  });

  it('warns when another issuer is trusted with no audience check', () => {
    const env = { ...BASE_ENV, AUTHFORT_ISSUER: 'https://idp.example.com' };
    assert.deepEqual(keys(configWarnings(loadConfig({ env }))), ['AUTHFORT_AUDIENCE']);

    const withAudience = { ...env, AUTHFORT_AUDIENCE: 'orders' };
    assert.deepEqual(configWarnings(loadConfig({ env: withAudience })), []);
  });

  it('warns about rules an earlier rule hides', () => {
    const config = fromFile(`
routes:
  - path: /orders
    methods: [GET, POST]
  - path: /orders
    methods: [POST]
  - path: /**
  - path: /late
`);
    assert.deepEqual(keys(configWarnings(config)), ['routes[1]', 'routes[3]']);
  });

  it('warns about AUTHFORT_ variables that are not settings, suggesting the right one', () => {
    const env = { ...BASE_ENV, AUTHFORT_JWKS_MAX_AGE: '60', AUTHFORT_jwks_url: 'x', OTHER: '1' };
    const warnings = configWarnings(loadConfig({ env }), env);

    assert.deepEqual(keys(warnings), ['AUTHFORT_JWKS_MAX_AGE', 'AUTHFORT_jwks_url']);
    assert.match(warnings[1]?.message ?? '', /did you mean AUTHFORT_JWKS_URL/);
  });

  it('writes each warning on one line', () => {
    const config = fromFile('routes:\n  - path: /a\n    introspect: true\n');
    for (const warning of configWarnings(config)) assert.ok(!warning.message.includes('\n'));
  });
});
