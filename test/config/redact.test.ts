import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadConfig, REDACTED, redactConfig } from '../../src/config/index.js';
import type { ServiceConfig } from '../../src/config/index.js';
import { BASE_ENV } from './helpers.js';

const SECRET = 'bearer-Secret-4f1c9a';

describe('redacted configuration for the start-up log', () => {
  it('replaces the AuthFort introspection secret', () => {
    const config = loadConfig({
      env: {
        ...BASE_ENV,
        AUTHFORT_INTROSPECT_URL: 'https://auth.example.com/introspect',
        AUTHFORT_INTROSPECT_SECRET: SECRET,
      },
    });
    const json = JSON.stringify(redactConfig(config));

    assert.ok(!json.includes(SECRET));
    assert.deepEqual((JSON.parse(json) as { introspection: unknown }).introspection, {
      style: 'authfort',
      url: 'https://auth.example.com/introspect',
      timeoutMs: 1000,
      secret: REDACTED,
    });
  });

  it('replaces the RFC 7662 client credentials', () => {
    const config = loadConfig({
      env: {
        ...BASE_ENV,
        AUTHFORT_INTROSPECT_URL: 'https://idp.example.com/introspect',
        AUTHFORT_INTROSPECT_STYLE: 'rfc7662',
        AUTHFORT_INTROSPECT_SECRET: `gateway:${SECRET}`,
      },
    });
    const json = JSON.stringify(redactConfig(config));

    assert.ok(!json.includes(SECRET));
    assert.ok(json.includes(`"secret":"${REDACTED}"`));
  });

  it('strips user names and passwords from URLs', () => {
    // loadConfig refuses credentials in URLs; redaction still guards a hand-built config.
    const loaded = loadConfig({ env: BASE_ENV });
    const config: ServiceConfig = {
      ...loaded,
      verifier: { ...loaded.verifier, jwksUrl: `https://user:${SECRET}@auth.example.com/jwks` },
    };
    const json = JSON.stringify(redactConfig(config));

    assert.ok(!json.includes(SECRET));
    assert.ok(!json.includes('user@'));
    assert.ok(json.includes('"jwksUrl":"https://auth.example.com/jwks"'));
  });

  it('returns JSON-safe data that round-trips', () => {
    const config = loadConfig({ env: { ...BASE_ENV, AUTHFORT_GRPC_ADDR: '[::1]:0' } });
    const redacted = redactConfig(config);
    assert.deepEqual(JSON.parse(JSON.stringify(redacted)), redacted);
    assert.deepEqual(redacted.grpc, { host: '::1', port: 0 });
  });
});
