import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadConfig } from '../../src/config/index.js';
import { identityHeaders } from '../../src/decision/identity.js';
import { toVerifiedUser } from '../../src/jwt/claims.js';
import { DEFAULTS } from '../../src/options.js';
import { assertConfigError, BASE_ENV } from './helpers.js';

const load = (env: Record<string, string>) => loadConfig({ env: { ...BASE_ENV, ...env } });

describe('configuration from environment variables', () => {
  it('fills every default from DESIGN.md and the library DEFAULTS', () => {
    const config = loadConfig({ env: BASE_ENV });

    assert.equal(config.verifier.jwksUrl, 'https://auth.example.com/jwks.json');
    assert.equal(config.verifier.discoveryUrl, undefined);
    assert.equal(config.verifier.issuer, DEFAULTS.issuer);
    assert.deepEqual(config.verifier.audience, []);
    assert.deepEqual(config.verifier.algorithms, ['RS256', 'PS256', 'ES256', 'EdDSA']);
    assert.equal(config.verifier.clockSkewSeconds, 30);
    assert.deepEqual(config.verifier.requiredClaims, DEFAULTS.requiredClaims);
    assert.equal(config.verifier.rolesClaim, 'roles');
    assert.equal(config.verifier.jwksMaxAgeSeconds, 600);
    assert.equal(config.verifier.jwksCooldownSeconds, 30);
    assert.equal(config.verifier.maxTokenBytes, 8192);
    assert.equal(config.introspection, undefined);
    assert.deepEqual(config.grpc, { host: '0.0.0.0', port: 9001 });
    assert.deepEqual(config.http, { host: '0.0.0.0', port: 8080 });
    assert.deepEqual(config.metrics, { host: '0.0.0.0', port: 9464 });
    assert.equal(config.workers, 1);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.realm, 'authfort');
    assert.equal(config.shutdownGraceSeconds, 10);
    assert.deepEqual(config.routes, []);
    assert.deepEqual(config.routeMatching, {});
    assert.deepEqual(config.tokenSources, [
      { kind: 'header', header: 'authorization', scheme: 'Bearer' },
    ]);
  });

  it('returns a deeply frozen configuration', () => {
    const config = loadConfig({ env: BASE_ENV });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.verifier.algorithms));
    assert.ok(Object.isFrozen(config.grpc));
  });

  it('reads every variable that is set', () => {
    const config = load({
      AUTHFORT_ISSUER: 'https://idp.example.com/realms/main',
      AUTHFORT_AUDIENCE: 'orders, billing,',
      AUTHFORT_ALGORITHMS: 'ES256,ES256,RS256',
      AUTHFORT_CLOCK_SKEW_SECONDS: '0',
      AUTHFORT_REQUIRED_CLAIMS: 'sub,exp,realm_access.roles',
      AUTHFORT_ROLES_CLAIM: 'realm_access.roles',
      AUTHFORT_JWKS_MAX_AGE_SECONDS: '120',
      AUTHFORT_JWKS_COOLDOWN_SECONDS: '0',
      AUTHFORT_MAX_TOKEN_BYTES: '4096',
      AUTHFORT_WORKERS: '4',
      AUTHFORT_LOG_LEVEL: 'debug',
      AUTHFORT_REALM: 'orders api',
      AUTHFORT_SHUTDOWN_GRACE_SECONDS: '25',
    });

    assert.equal(config.verifier.issuer, 'https://idp.example.com/realms/main');
    assert.deepEqual(config.verifier.audience, ['orders', 'billing']);
    assert.deepEqual(config.verifier.algorithms, ['ES256', 'RS256']);
    assert.equal(config.verifier.clockSkewSeconds, 0);
    assert.deepEqual(config.verifier.requiredClaims, ['sub', 'exp', 'realm_access.roles']);
    assert.equal(config.verifier.rolesClaim, 'realm_access.roles');
    assert.equal(config.verifier.jwksMaxAgeSeconds, 120);
    assert.equal(config.verifier.jwksCooldownSeconds, 0);
    assert.equal(config.verifier.maxTokenBytes, 4096);
    assert.equal(config.workers, 4);
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.realm, 'orders api');
    assert.equal(config.shutdownGraceSeconds, 25);
  });

  it('drains for 5 seconds by default, never longer than the grace period', () => {
    assert.equal(load({}).drainSeconds, 5);
    assert.equal(load({ AUTHFORT_SHUTDOWN_GRACE_SECONDS: '3' }).drainSeconds, 3);
    assert.equal(load({ AUTHFORT_DRAIN_SECONDS: '0' }).drainSeconds, 0);
    assertConfigError(
      () => load({ AUTHFORT_DRAIN_SECONDS: '12', AUTHFORT_SHUTDOWN_GRACE_SECONDS: '10' }),
      'AUTHFORT_DRAIN_SECONDS',
    );
  });

  it('treats an empty or blank variable as unset', () => {
    const config = load({ AUTHFORT_CLOCK_SKEW_SECONDS: '', AUTHFORT_ISSUER: '   ' });
    assert.equal(config.verifier.clockSkewSeconds, 30);
    assert.equal(config.verifier.issuer, 'authfort');
  });

  it('fills x-user-roles from the configured roles claim by default', () => {
    const config = load({ AUTHFORT_ROLES_CLAIM: 'realm_access.roles' });
    const user = toVerifiedUser(
      { sub: 'u1', iss: 'kc', exp: 2_000_000_000, realm_access: { roles: ['admin', 'ops'] } },
      config.verifier.rolesClaim,
    );
    assert.deepEqual(identityHeaders(user, config.identityHeaders), {
      set: [
        ['x-user-id', 'u1'],
        ['x-user-roles', 'admin,ops'],
      ],
      remove: ['x-user-email'],
    });
  });
});

describe('whole numbers from the environment', () => {
  const cases: [string, string][] = [
    ['AUTHFORT_CLOCK_SKEW_SECONDS', 'abc'],
    ['AUTHFORT_CLOCK_SKEW_SECONDS', '30s'],
    ['AUTHFORT_CLOCK_SKEW_SECONDS', '-1'],
    ['AUTHFORT_CLOCK_SKEW_SECONDS', '1.5'],
    ['AUTHFORT_CLOCK_SKEW_SECONDS', '3e1'],
    ['AUTHFORT_CLOCK_SKEW_SECONDS', '3601'],
    ['AUTHFORT_JWKS_MAX_AGE_SECONDS', '0'],
    ['AUTHFORT_JWKS_COOLDOWN_SECONDS', 'never'],
    ['AUTHFORT_WORKERS', '0'],
    ['AUTHFORT_WORKERS', '65'],
    ['AUTHFORT_MAX_TOKEN_BYTES', '12'],
    ['AUTHFORT_INTROSPECT_TIMEOUT_MS', '0x10'],
    ['AUTHFORT_SHUTDOWN_GRACE_SECONDS', '99999999999999999999'],
  ];
  for (const [name, value] of cases) {
    it(`refuses ${name}=${value}`, () => assertConfigError(() => load({ [name]: value }), name));
  }

  it('explains the expected range and echoes the bad value', () => {
    assert.throws(() => load({ AUTHFORT_CLOCK_SKEW_SECONDS: 'abc' }), {
      message:
        'AUTHFORT_CLOCK_SKEW_SECONDS must be a whole number of seconds from 0 to 3600, got "abc"',
    });
  });
});

describe('the key set location', () => {
  it('requires AUTHFORT_JWKS_URL or AUTHFORT_DISCOVERY_URL', () => {
    assertConfigError(() => loadConfig({ env: {} }), 'AUTHFORT_JWKS_URL');
  });

  it('accepts a discovery URL instead', () => {
    const config = loadConfig({
      env: { AUTHFORT_DISCOVERY_URL: 'https://idp.example.com/.well-known/openid-configuration' },
    });
    assert.equal(config.verifier.jwksUrl, undefined);
    assert.match(config.verifier.discoveryUrl ?? '', /openid-configuration$/);
  });

  it('refuses both at once', () => {
    const env = { ...BASE_ENV, AUTHFORT_DISCOVERY_URL: 'https://idp.example.com/.well-known/x' };
    assertConfigError(() => loadConfig({ env }), 'AUTHFORT_DISCOVERY_URL');
  });

  for (const value of ['not a url', 'ftp://auth.example.com/jwks', '/jwks.json']) {
    it(`refuses the URL ${JSON.stringify(value)}`, () => {
      assertConfigError(
        () => loadConfig({ env: { AUTHFORT_JWKS_URL: value } }),
        'AUTHFORT_JWKS_URL',
      );
    });
  }

  it('refuses credentials in the URL without repeating them', () => {
    assertConfigError(
      () => loadConfig({ env: { AUTHFORT_JWKS_URL: 'https://u:hunter2@auth.example.com/jwks' } }),
      'AUTHFORT_JWKS_URL',
      'hunter2',
    );
  });
});

describe('algorithms', () => {
  for (const value of ['none', 'RS256,NONE', 'HS256', 'RS256,hs512', 'XYZ', 'rs256']) {
    it(`refuses AUTHFORT_ALGORITHMS=${value}`, () => {
      assertConfigError(() => load({ AUTHFORT_ALGORITHMS: value }), 'AUTHFORT_ALGORITHMS');
    });
  }

  it('says why HMAC is refused', () => {
    assert.throws(() => load({ AUTHFORT_ALGORITHMS: 'HS256' }), /HMAC/);
  });

  it('refuses a list with no algorithm in it', () => {
    assertConfigError(() => load({ AUTHFORT_ALGORITHMS: ' , ' }), 'AUTHFORT_ALGORITHMS');
  });
});

describe('other checked values', () => {
  const cases: [string, string][] = [
    ['AUTHFORT_LOG_LEVEL', 'verbose'],
    ['AUTHFORT_LOG_LEVEL', 'INFO'],
    ['AUTHFORT_REALM', 'say "hi"'],
    ['AUTHFORT_REALM', 'back\\slash'],
    ['AUTHFORT_ROLES_CLAIM', 'realm_access..roles'],
    ['AUTHFORT_REQUIRED_CLAIMS', 'sub,.exp'],
    ['AUTHFORT_INTROSPECT_STYLE', 'oauth'],
    ['AUTHFORT_TOKEN_HEADER', 'x api token'],
    ['AUTHFORT_TOKEN_HEADER', 'cookie'],
    ['AUTHFORT_TOKEN_HEADER', 'content-length'],
    ['AUTHFORT_TOKEN_COOKIE', 'a=b'],
    ['AUTHFORT_ISSUER', 'bad\u0007issuer'],
  ];
  for (const [name, value] of cases) {
    it(`refuses ${name}=${JSON.stringify(value)}`, () => {
      assertConfigError(() => load({ [name]: value }), name);
    });
  }
});
