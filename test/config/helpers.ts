/**
 * Shared helpers of the configuration tests.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

import { isAuthFortError } from '../../src/errors.js';

/** The least environment that loads: a key set URL. */
export const BASE_ENV = Object.freeze({ AUTHFORT_JWKS_URL: 'https://auth.example.com/jwks.json' });

/**
 * Asserts `run` throws ERR_CONFIG_INVALID for `key`, with a one-line message that names the key
 * and, when given, does not contain `secret`.
 */
export function assertConfigError(run: () => unknown, key: string, secret?: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(isAuthFortError(error), `expected an AuthFortError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_CONFIG_INVALID');
    assert.equal(error.key, key);
    assert.ok(!error.message.includes('\n'), 'the message is one line');
    assert.ok(error.message.includes(key), `the message names ${key}: ${error.message}`);
    if (secret !== undefined) assert.ok(!error.message.includes(secret), 'no secret in message');
    return true;
  });
}

/** A temporary directory removed after the test file; `write` puts a file in it. */
export function tempDir(): { dir: string; write: (name: string, text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'authfort-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    write: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
  };
}

/** PEM-looking file contents; the loader checks the block type, not the DER inside. */
export const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
export const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
