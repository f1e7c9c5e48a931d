import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadConfig } from '../../src/config/index.js';
import { assertConfigError, tempDir } from './helpers.js';

const { write } = tempDir();

const FILE = `
jwksUrl: https://file.example/jwks
issuer: file-issuer
clockSkewSeconds: 5
audience: [from-file]
logLevel: debug
tokenSources:
  - cookie: session
`;

describe('environment over file', () => {
  const configPath = write('authfort.yaml', FILE);

  it('takes each setting from the environment when both have it', () => {
    const config = loadConfig({
      configPath,
      env: {
        AUTHFORT_ISSUER: 'env-issuer',
        AUTHFORT_CLOCK_SKEW_SECONDS: '60',
        AUTHFORT_AUDIENCE: 'from-env',
      },
    });
    assert.equal(config.verifier.issuer, 'env-issuer');
    assert.equal(config.verifier.clockSkewSeconds, 60);
    assert.deepEqual(config.verifier.audience, ['from-env']);
  });

  it('keeps the file settings the environment does not set', () => {
    const config = loadConfig({ configPath, env: { AUTHFORT_ISSUER: 'env-issuer' } });
    assert.equal(config.verifier.clockSkewSeconds, 5);
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.verifier.jwksUrl, 'https://file.example/jwks');
  });

  it('falls back to the file when the variable is empty', () => {
    const config = loadConfig({ configPath, env: { AUTHFORT_LOG_LEVEL: '' } });
    assert.equal(config.logLevel, 'debug');
  });

  it('lets a discovery URL in the environment replace the file jwksUrl', () => {
    const config = loadConfig({
      configPath,
      env: { AUTHFORT_DISCOVERY_URL: 'https://idp.example/.well-known/openid-configuration' },
    });
    assert.equal(config.verifier.jwksUrl, undefined);
    assert.equal(
      config.verifier.discoveryUrl,
      'https://idp.example/.well-known/openid-configuration',
    );
  });

  it('still refuses both key set URLs given in the same source', () => {
    const both = write(
      'both.yaml',
      'jwksUrl: https://a.example/j\ndiscoveryUrl: https://a.example/d\n',
    );
    assertConfigError(() => loadConfig({ configPath: both, env: {} }), 'discoveryUrl');
  });

  it('checks a file value even when the environment overrides it', () => {
    const bad = write('bad.yaml', 'jwksUrl: https://a.example/j\nclockSkewSeconds: -1\n');
    assertConfigError(
      () => loadConfig({ configPath: bad, env: { AUTHFORT_CLOCK_SKEW_SECONDS: '5' } }),
      'clockSkewSeconds',
    );
  });

  it('replaces the file token sources when AUTHFORT_TOKEN_* is set', () => {
    assert.deepEqual(loadConfig({ configPath, env: {} }).tokenSources, [
      { kind: 'cookie', cookie: 'session' },
    ]);

    const config = loadConfig({
      configPath,
      env: { AUTHFORT_TOKEN_HEADER: 'X-Api-Token', AUTHFORT_TOKEN_COOKIE: 'auth' },
    });
    assert.deepEqual(config.tokenSources, [
      { kind: 'header', header: 'authorization', scheme: 'Bearer' },
      { kind: 'header', header: 'x-api-token' },
      { kind: 'cookie', cookie: 'auth' },
    ]);
  });
});
