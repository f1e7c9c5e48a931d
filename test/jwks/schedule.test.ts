import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  effectiveMaxAgeSeconds,
  MAX_RETRY_SECONDS,
  MIN_FETCH_INTERVAL_SECONDS,
  refreshDelaySeconds,
  retryDelaySeconds,
} from '../../src/jwks/schedule.js';

describe('effectiveMaxAgeSeconds', () => {
  it('honours a max-age shorter than the configured maximum', () => {
    assert.equal(effectiveMaxAgeSeconds(120, 600), 120);
  });

  it('caps a longer max-age at the configured maximum', () => {
    assert.equal(effectiveMaxAgeSeconds(3600, 600), 600);
  });

  it('uses the configured maximum when the response says nothing', () => {
    assert.equal(effectiveMaxAgeSeconds(undefined, 600), 600);
  });
});

describe('refreshDelaySeconds', () => {
  it('refreshes between 80 % and 90 % of the lifetime', () => {
    assert.equal(refreshDelaySeconds(600, 30, 0), 480);
    assert.ok(Math.abs(refreshDelaySeconds(600, 30, 0.5) - 510) < 1e-9);
    assert.ok(refreshDelaySeconds(600, 30, 0.999999) < 540);
  });

  it('never refreshes sooner than the cooldown', () => {
    assert.equal(refreshDelaySeconds(10, 30, 0.5), 30);
    assert.equal(refreshDelaySeconds(0, 30, 0), 30);
  });

  it('keeps a 1 s floor with no cooldown, so max-age=0 cannot spin', () => {
    assert.equal(refreshDelaySeconds(0, 0, 0), MIN_FETCH_INTERVAL_SECONDS);
  });
});

describe('retryDelaySeconds', () => {
  it('doubles from the cooldown up to the 5 minute cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 20].map((n) => retryDelaySeconds(n, 30, 600, 0));
    assert.deepEqual(delays, [30, 60, 120, 240, 300, 300, 300]);
  });

  it('starts from 1 s when there is no cooldown', () => {
    const delays = [1, 2, 3, 4, 9].map((n) => retryDelaySeconds(n, 0, 600, 0));
    assert.deepEqual(delays, [1, 2, 4, 8, 256]);
    assert.equal(retryDelaySeconds(10, 0, 600, 0), MAX_RETRY_SECONDS);
  });

  it('caps at the maximum age when that is shorter than 5 minutes', () => {
    assert.equal(retryDelaySeconds(10, 30, 120, 0), 120);
  });

  it('never goes below the cooldown, even when the maximum age is shorter', () => {
    assert.equal(retryDelaySeconds(10, 30, 10, 0), 30);
  });

  it('jitters down by at most 20 % and never below the cooldown', () => {
    assert.equal(retryDelaySeconds(3, 30, 600, 0.5), 108);
    assert.equal(retryDelaySeconds(1, 30, 600, 0.999), 30);
  });

  it('stays finite after very many failures', () => {
    assert.equal(retryDelaySeconds(5000, 30, 600, 0), MAX_RETRY_SECONDS);
  });
});
