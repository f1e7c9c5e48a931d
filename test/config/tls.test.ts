import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { loadConfig } from '../../src/config/index.js';
import { assertConfigError, BASE_ENV, PEM_CERT, PEM_KEY, tempDir } from './helpers.js';

const { dir, write } = tempDir();
const cert = write('server.crt', PEM_CERT);
const key = write('server.key', PEM_KEY);
const ca = write('ca.crt', PEM_CERT);

const load = (env: Record<string, string>) => loadConfig({ env: { ...BASE_ENV, ...env } });

describe('TLS of the gRPC listener', () => {
  it('is off by default', () => {
    assert.equal(load({}).grpc.tls, undefined);
  });

  it('takes a certificate and key, and a client CA for mutual TLS', () => {
    assert.deepEqual(load({ AUTHFORT_TLS_CERT: cert, AUTHFORT_TLS_KEY: key }).grpc.tls, {
      certPath: cert,
      keyPath: key,
    });
    const mtls = load({
      AUTHFORT_TLS_CERT: cert,
      AUTHFORT_TLS_KEY: key,
      AUTHFORT_TLS_CLIENT_CA: ca,
    });
    assert.deepEqual(mtls.grpc.tls, { certPath: cert, keyPath: key, clientCaPath: ca });
  });

  it('requires the key with the certificate, and the certificate with the key', () => {
    assertConfigError(() => load({ AUTHFORT_TLS_CERT: cert }), 'AUTHFORT_TLS_KEY');
    assertConfigError(() => load({ AUTHFORT_TLS_KEY: key }), 'AUTHFORT_TLS_CERT');
  });

  it('requires a certificate and key for a client CA', () => {
    assertConfigError(() => load({ AUTHFORT_TLS_CLIENT_CA: ca }), 'AUTHFORT_TLS_CERT');
    assertConfigError(
      () => load({ AUTHFORT_TLS_CLIENT_CA: ca, AUTHFORT_TLS_CERT: cert }),
      'AUTHFORT_TLS_KEY',
    );
  });

  it('refuses a file that does not exist', () => {
    assertConfigError(
      () => load({ AUTHFORT_TLS_CERT: join(dir, 'nope.crt'), AUTHFORT_TLS_KEY: key }),
      'AUTHFORT_TLS_CERT',
    );
  });

  it('refuses a directory', () => {
    assertConfigError(
      () => load({ AUTHFORT_TLS_CERT: cert, AUTHFORT_TLS_KEY: dir }),
      'AUTHFORT_TLS_KEY',
    );
  });

  it('refuses a file it may not read', { skip: process.getuid?.() === 0 }, () => {
    const locked = write('locked.key', PEM_KEY);
    chmodSync(locked, 0o000);
    assertConfigError(
      () => load({ AUTHFORT_TLS_CERT: cert, AUTHFORT_TLS_KEY: locked }),
      'AUTHFORT_TLS_KEY',
    );
  });

  it('notices a swapped certificate and key, without quoting the key', () => {
    assertConfigError(
      () => load({ AUTHFORT_TLS_CERT: key, AUTHFORT_TLS_KEY: cert }),
      'AUTHFORT_TLS_CERT',
      'MIIE',
    );
    assertConfigError(
      () => load({ AUTHFORT_TLS_CERT: cert, AUTHFORT_TLS_KEY: cert }),
      'AUTHFORT_TLS_KEY',
    );
  });

  it('refuses a client CA file holding no certificate', () => {
    const junk = write('junk.pem', 'not pem at all');
    assertConfigError(
      () => load({ AUTHFORT_TLS_CERT: cert, AUTHFORT_TLS_KEY: key, AUTHFORT_TLS_CLIENT_CA: junk }),
      'AUTHFORT_TLS_CLIENT_CA',
    );
  });

  it('names file keys in the file language', () => {
    const configPath = write('tls.yaml', 'jwksUrl: https://a.example/j\ntls:\n  key: server.key\n');
    assertConfigError(() => loadConfig({ configPath, env: {} }), 'tls.cert');
  });
});
