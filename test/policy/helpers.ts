/**
 * Shared helpers of the route policy tests.
 */
import assert from 'node:assert/strict';

import { isAuthFortError } from '../../src/errors.js';

/** Asserts `run` throws ERR_CONFIG_INVALID for `key` with a one-line message. */
export function assertPolicyError(run: () => unknown, key: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(isAuthFortError(error), `expected an AuthFortError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_CONFIG_INVALID');
    assert.equal(error.key, key);
    assert.ok(!error.message.includes('\n'), 'the message is one line');
    return true;
  });
}
