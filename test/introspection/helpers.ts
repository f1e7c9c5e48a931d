/**
 * Small helpers shared by the introspection tests.
 */
import assert from 'node:assert/strict';

import { isAuthFortError, type AuthFortError } from '../../src/errors.js';

/** The AuthFortError `promise` rejects with; fails the test on anything else. */
export async function rejection(promise: Promise<unknown>): Promise<AuthFortError> {
  try {
    const value = await promise;
    assert.fail(`expected a rejection, got ${String(value)}`);
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    assert.ok(isAuthFortError(error), `expected an AuthFortError, got ${String(error)}`);
    return error;
  }
}

/** A clock that only moves when told to, in milliseconds since the epoch. */
export function fakeClock(startMs = Date.UTC(2030, 0, 1)) {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advanceSeconds(seconds: number) {
      nowMs += seconds * 1000;
    },
    get seconds() {
      return Math.floor(nowMs / 1000);
    },
  };
}
