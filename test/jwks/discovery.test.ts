import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isLoopbackHost, jwksUriFromDiscovery } from '../../src/jwks/discovery.js';

const HTTPS_DISCOVERY = 'https://auth.example.com/.well-known/openid-configuration';

describe('jwksUriFromDiscovery', () => {
  it('returns an https jwks_uri', () => {
    const document = { issuer: 'https://auth.example.com', jwks_uri: 'https://keys.example.com/k' };
    assert.equal(jwksUriFromDiscovery(document, HTTPS_DISCOVERY), 'https://keys.example.com/k');
  });

  it('allows plain http to the same origin as the discovery document', () => {
    const discovery = 'http://authfort.auth.svc:8000/.well-known/openid-configuration';
    const jwksUri = 'http://authfort.auth.svc:8000/.well-known/jwks.json';
    assert.equal(jwksUriFromDiscovery({ jwks_uri: jwksUri }, discovery), jwksUri);
  });

  it('allows plain http to a loopback host', () => {
    const jwksUri = 'http://127.0.0.1:9000/jwks.json';
    assert.equal(jwksUriFromDiscovery({ jwks_uri: jwksUri }, HTTPS_DISCOVERY), jwksUri);
  });

  it('refuses plain http to another origin (a TLS downgrade)', () => {
    const document = { jwks_uri: 'http://auth.example.com/jwks.json' };
    assert.throws(() => jwksUriFromDiscovery(document, HTTPS_DISCOVERY), {
      code: 'ERR_DISCOVERY_INVALID',
      url: HTTPS_DISCOVERY,
    });
  });

  it('refuses a missing, empty, relative or non-http jwks_uri', () => {
    const documents: unknown[] = [
      null,
      [],
      {},
      { jwks_uri: '' },
      { jwks_uri: 42 },
      { jwks_uri: '/jwks.json' },
      { jwks_uri: 'file:///etc/passwd' },
      { jwks_uri: 'ftp://auth.example.com/jwks.json' },
    ];
    for (const document of documents) {
      assert.throws(
        () => jwksUriFromDiscovery(document, HTTPS_DISCOVERY),
        { code: 'ERR_DISCOVERY_INVALID' },
        JSON.stringify(document),
      );
    }
  });
});

describe('isLoopbackHost', () => {
  it('knows the loopback names and addresses', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '[::1]']) {
      assert.equal(isLoopbackHost(host), true, host);
    }
    for (const host of ['10.0.0.1', 'localhost.example.com', '127.0.0.1.nip.io', '[::2]']) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });
});
