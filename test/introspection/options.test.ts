import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { AuthFortError } from '../../src/errors.js';
import {
  INTROSPECTION_DEFAULTS,
  IntrospectionClient,
  type IntrospectionClientOptions,
} from '../../src/introspection/index.js';

function configError(build: () => unknown): AuthFortError {
  try {
    build();
  } catch (error) {
    assert.equal((error as AuthFortError).code, 'ERR_CONFIG_INVALID');
    return error as AuthFortError;
  }
  assert.fail('expected ERR_CONFIG_INVALID');
}

const URL = 'https://auth.example.com/auth/introspect';

test('documents its defaults', () => {
  assert.deepEqual(INTROSPECTION_DEFAULTS, {
    style: 'authfort',
    timeoutMs: 2000,
    cacheSeconds: 5,
    cacheMaxEntries: 10_000,
    maxBytes: 65_536,
  });
});

test('refuses invalid options, naming the option at fault', () => {
  const cases: [Partial<IntrospectionClientOptions>, string][] = [
    [{ url: 'auth.example.com/introspect' }, 'url'],
    [{ url: 'ftp://auth.example.com/introspect' }, 'url'],
    [{ url: 'https://user:pass@auth.example.com/introspect' }, 'url'],
    [{ style: 'oauth' as 'rfc7662' }, 'style'],
    [{ timeoutMs: 0 }, 'timeoutMs'],
    [{ timeoutMs: 1.5 }, 'timeoutMs'],
    [{ cacheSeconds: -1 }, 'cacheSeconds'],
    [{ cacheMaxEntries: 0 }, 'cacheMaxEntries'],
    [{ maxBytes: Number.NaN }, 'maxBytes'],
    [{ secret: '' }, 'secret'],
    [{ secret: 'has a space' }, 'secret'],
    [{ secret: 'line\nbreak' }, 'secret'],
    [{ style: 'rfc7662', secret: 'no-colon' }, 'secret'],
    [{ style: 'rfc7662', secret: ':secret-without-id' }, 'secret'],
  ];

  for (const [options, key] of cases) {
    const error = configError(() => new IntrospectionClient({ url: URL, ...options }));
    assert.equal(error.key, key, JSON.stringify(options));
  }
});

test('never quotes the secret in a configuration error', () => {
  const secret = 'secret with spaces-1234';
  const error = configError(() => new IntrospectionClient({ url: URL, secret }));
  assert.ok(!error.message.includes(secret));
  assert.ok(!JSON.stringify(error).includes(secret));
});

test('accepts a cacheSeconds of 0 and an RFC 7662 secret with an empty client secret', () => {
  assert.ok(new IntrospectionClient({ url: URL, cacheSeconds: 0 }));
  assert.ok(new IntrospectionClient({ url: URL, style: 'rfc7662', secret: 'public-client:' }));
});

test('names its settings as the caller asks in configuration errors', () => {
  const envNames = { url: 'AUTHFORT_INTROSPECT_URL', secret: 'AUTHFORT_INTROSPECT_SECRET' };
  const error = configError(() => new IntrospectionClient({ url: URL, secret: 'a b' }, envNames));
  assert.equal(error.key, 'AUTHFORT_INTROSPECT_SECRET');
});
