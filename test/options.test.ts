import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DEFAULTS, resolveOptions, type ServiceAuthOptions } from '../src/options.js';

const jwksUrl = 'https://auth.example.com/.well-known/jwks.json';

function assertInvalid(options: ServiceAuthOptions, key: string): void {
  assert.throws(() => resolveOptions(options), {
    name: 'AuthFortError',
    code: 'ERR_CONFIG_INVALID',
    key,
  });
}

describe('resolveOptions', () => {
  it('fills in the defaults of DESIGN.md', () => {
    const options = resolveOptions({ jwksUrl });

    assert.equal(options.jwksUrl, jwksUrl);
    assert.equal(options.discoveryUrl, undefined);
    assert.equal(options.issuer, 'authfort');
    assert.deepEqual(options.audience, []);
    assert.deepEqual(options.algorithms, ['RS256', 'PS256', 'ES256', 'EdDSA']);
    assert.equal(options.clockSkewSeconds, 30);
    assert.deepEqual(options.requiredClaims, ['sub', 'email', 'roles', 'ver', 'iat', 'exp', 'iss']);
    assert.equal(options.rolesClaim, 'roles');
    assert.equal(options.jwksMaxAgeSeconds, 600);
    assert.equal(options.jwksCooldownSeconds, 30);
    assert.equal(options.jwksTimeoutMs, DEFAULTS.jwksTimeoutMs);
    assert.equal(options.jwksMaxBytes, DEFAULTS.jwksMaxBytes);
    assert.equal(options.maxTokenBytes, DEFAULTS.maxTokenBytes);
    assert.equal(options.tokenCacheSize, DEFAULTS.tokenCacheSize);
    assert.equal(options.clock, Date.now);
  });

  it('keeps the given values', () => {
    const clock = () => 0;
    const options = resolveOptions({
      discoveryUrl: 'https://idp.example.com/realms/main/.well-known/openid-configuration',
      issuer: 'https://idp.example.com/realms/main',
      audience: ['orders', 'billing'],
      algorithms: ['ES256'],
      clockSkewSeconds: 0,
      requiredClaims: ['sub', 'realm_access.roles'],
      rolesClaim: 'realm_access.roles',
      jwksMaxAgeSeconds: 60,
      jwksCooldownSeconds: 0,
      jwksTimeoutMs: 250,
      jwksMaxBytes: 1024,
      maxTokenBytes: 64,
      tokenCacheSize: 0,
      clock,
    });

    assert.equal(options.jwksUrl, undefined);
    assert.deepEqual(options.audience, ['orders', 'billing']);
    assert.deepEqual(options.algorithms, ['ES256']);
    assert.equal(options.clockSkewSeconds, 0);
    assert.deepEqual(options.requiredClaims, ['sub', 'realm_access.roles']);
    assert.equal(options.rolesClaim, 'realm_access.roles');
    assert.equal(options.jwksCooldownSeconds, 0);
    assert.equal(options.tokenCacheSize, 0);
    assert.equal(options.clock, clock);
  });

  it('takes a single audience as a string', () => {
    assert.deepEqual(resolveOptions({ jwksUrl, audience: 'orders' }).audience, ['orders']);
  });

  it('copies lists, so later changes by the caller do not leak in', () => {
    const algorithms = ['RS256'];
    const requiredClaims = ['sub'];
    const audience = ['orders'];
    const options = resolveOptions({ jwksUrl, algorithms, requiredClaims, audience });
    algorithms.push('HS256');
    requiredClaims.length = 0;
    audience.push('anyone');

    assert.deepEqual(options.algorithms, ['RS256']);
    assert.deepEqual(options.requiredClaims, ['sub']);
    assert.deepEqual(options.audience, ['orders']);
  });

  describe('refuses with ERR_CONFIG_INVALID naming the key', () => {
    it('no key set location, or both', () => {
      assertInvalid({}, 'jwksUrl');
      assertInvalid({ jwksUrl, discoveryUrl: jwksUrl }, 'jwksUrl');
    });

    it('a key set URL that is not absolute http(s)', () => {
      assertInvalid({ jwksUrl: '/.well-known/jwks.json' }, 'jwksUrl');
      assertInvalid({ jwksUrl: 'file:///etc/jwks.json' }, 'jwksUrl');
      assertInvalid({ discoveryUrl: 'ftp://idp.example.com/' }, 'discoveryUrl');
    });

    for (const algorithms of [['HS256'], ['HS384'], ['none'], [], ['RS256', 'none'], ['rs256']]) {
      it(`algorithms ${JSON.stringify(algorithms)}`, () => {
        assertInvalid({ jwksUrl, algorithms }, 'algorithms');
      });
    }

    it('an empty issuer', () => {
      assertInvalid({ jwksUrl, issuer: '' }, 'issuer');
    });

    const numbers: [keyof ServiceAuthOptions, number][] = [
      ['clockSkewSeconds', -1],
      ['clockSkewSeconds', 1.5],
      ['clockSkewSeconds', Number.NaN],
      ['jwksMaxAgeSeconds', 0],
      ['jwksCooldownSeconds', -1],
      ['jwksTimeoutMs', 0],
      ['jwksMaxBytes', 1023],
      ['maxTokenBytes', 63],
      ['tokenCacheSize', -1],
      ['tokenCacheSize', Number.POSITIVE_INFINITY],
    ];
    for (const [key, value] of numbers) {
      it(`${key}: ${value}`, () => {
        assertInvalid({ jwksUrl, [key]: value }, key);
      });
    }
  });
});
