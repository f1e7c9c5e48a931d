import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadConfig } from '../../src/config/index.js';
import { assertConfigError, BASE_ENV, tempDir } from './helpers.js';

const URL_ENV = { ...BASE_ENV, AUTHFORT_INTROSPECT_URL: 'https://auth.example.com/introspect' };
const SECRET = 'sup3r-s3cret-value';

describe('introspection settings', () => {
  it('is absent without an endpoint', () => {
    assert.equal(loadConfig({ env: BASE_ENV }).introspection, undefined);
  });

  it('defaults to the AuthFort style with a bearer secret and a 1000 ms timeout', () => {
    const config = loadConfig({ env: { ...URL_ENV, AUTHFORT_INTROSPECT_SECRET: SECRET } });
    assert.deepEqual(config.introspection, {
      style: 'authfort',
      url: 'https://auth.example.com/introspect',
      timeoutMs: 1000,
      secret: SECRET,
    });
  });

  it('keeps client_id:client_secret whole for the RFC 7662 style', () => {
    const config = loadConfig({
      env: {
        ...URL_ENV,
        AUTHFORT_INTROSPECT_STYLE: 'rfc7662',
        AUTHFORT_INTROSPECT_SECRET: 'gateway:pa:ss',
        AUTHFORT_INTROSPECT_TIMEOUT_MS: '300',
      },
    });
    assert.deepEqual(config.introspection, {
      style: 'rfc7662',
      url: 'https://auth.example.com/introspect',
      timeoutMs: 300,
      secret: 'gateway:pa:ss',
    });
  });

  for (const secret of [SECRET, ':only-secret']) {
    it(`refuses ${JSON.stringify(secret)} for the RFC 7662 style without quoting it`, () => {
      const env = {
        ...URL_ENV,
        AUTHFORT_INTROSPECT_STYLE: 'rfc7662',
        AUTHFORT_INTROSPECT_SECRET: secret,
      };
      assertConfigError(() => loadConfig({ env }), 'AUTHFORT_INTROSPECT_SECRET', secret);
    });
  }

  it('accepts an empty client secret (a public client), as the introspection client does', () => {
    const env = {
      ...URL_ENV,
      AUTHFORT_INTROSPECT_STYLE: 'rfc7662',
      AUTHFORT_INTROSPECT_SECRET: 'public-client:',
    };
    assert.equal(loadConfig({ env }).introspection?.secret, 'public-client:');
  });

  it('requires the secret with the endpoint', () => {
    assertConfigError(() => loadConfig({ env: URL_ENV }), 'AUTHFORT_INTROSPECT_SECRET');
  });

  it('refuses a secret without an endpoint, without quoting it', () => {
    assertConfigError(
      () => loadConfig({ env: { ...BASE_ENV, AUTHFORT_INTROSPECT_SECRET: SECRET } }),
      'AUTHFORT_INTROSPECT_SECRET',
      SECRET,
    );
  });

  it('names the missing key in the language of the file', () => {
    const { write } = tempDir();
    const configPath = write(
      'a.yaml',
      'jwksUrl: https://a.example/j\nintrospection:\n  url: https://a.example/i\n',
    );
    assertConfigError(() => loadConfig({ configPath, env: {} }), 'introspection.secret');
  });

  it('never quotes a secret of the wrong YAML type', () => {
    const { write } = tempDir();
    const configPath = write(
      'a.yaml',
      'jwksUrl: https://a.example/j\nintrospection:\n  url: https://a.example/i\n  secret: [x9z]\n',
    );
    assertConfigError(() => loadConfig({ configPath, env: {} }), 'introspection.secret', 'x9z');
  });
});
