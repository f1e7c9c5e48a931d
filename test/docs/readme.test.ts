/**
 * The README is part of the contract: every error code and every setting must be in it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { SETTINGS } from '../../src/config/settings.js';
import { ERRORS } from '../../src/errors.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('every error code has a row in the README error table, with its HTTP and gRPC status', () => {
  for (const [code, spec] of Object.entries(ERRORS)) {
    const row = readme
      .split('\n')
      .find((line) => new RegExp(`^\\|\\s*\`${code}\`\\s*\\|`).test(line));
    assert.ok(row, `${code} is not documented`);
    const cells = row.split('|').map((cell) => cell.trim());
    assert.equal(cells[2], String(spec.status), `${code}: HTTP status`);
    assert.equal(cells[3], String(spec.grpc), `${code}: gRPC code`);
  }
});

test('every environment variable has a row in the README configuration table', () => {
  for (const { env } of Object.values(SETTINGS)) {
    assert.match(readme, new RegExp(`^\\|\\s*\`${env}\`\\s*\\|`, 'm'), `${env} is not documented`);
  }
});

test('the README names the test command CI runs', () => {
  assert.match(readme, /npm test/);
});
