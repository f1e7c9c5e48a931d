import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  MAX_DELTA_SECONDS,
  parseDeltaSeconds,
  parseMaxAge,
  remainingFreshnessSeconds,
} from '../../src/jwks/cache-control.js';

describe('parseMaxAge', () => {
  it("reads AuthFort's own header", () => {
    assert.equal(parseMaxAge('public, max-age=3600'), 3600);
  });

  it('compares directive names case-insensitively and tolerates spaces', () => {
    assert.equal(parseMaxAge('Public ,  MAX-AGE=120 '), 120);
  });

  it('accepts the quoted form some servers send', () => {
    assert.equal(parseMaxAge('max-age="60"'), 60);
  });

  it('uses the first of several max-age directives', () => {
    assert.equal(parseMaxAge('max-age=60, max-age=6000'), 60);
  });

  it('ignores s-maxage, which is for shared caches', () => {
    assert.equal(parseMaxAge('s-maxage=10'), undefined);
    assert.equal(parseMaxAge('s-maxage=10, max-age=90'), 90);
  });

  it('reads no lifetime from no-cache or no-store', () => {
    assert.equal(parseMaxAge('no-cache'), undefined);
    assert.equal(parseMaxAge('no-store, private'), undefined);
  });

  it('treats a malformed value as absent', () => {
    for (const field of ['max-age=-1', 'max-age=1.5', 'max-age=', 'max-age=ten', 'max-age=1e3']) {
      assert.equal(parseMaxAge(field), undefined, field);
    }
  });

  it('returns undefined without a header', () => {
    assert.equal(parseMaxAge(null), undefined);
    assert.equal(parseMaxAge(undefined), undefined);
    assert.equal(parseMaxAge(''), undefined);
  });

  it('reads max-age=0 as zero, not as absent', () => {
    assert.equal(parseMaxAge('max-age=0'), 0);
  });
});

describe('parseDeltaSeconds', () => {
  it('caps huge values at 2^31 as RFC 9111 requires', () => {
    assert.equal(parseDeltaSeconds('99999999999999999999999'), MAX_DELTA_SECONDS);
  });
});

describe('remainingFreshnessSeconds', () => {
  it('subtracts the Age a cache in between reports', () => {
    const headers = new Headers({ 'cache-control': 'max-age=3600', age: '3000' });
    assert.equal(remainingFreshnessSeconds(headers), 600);
  });

  it('never goes below zero', () => {
    const headers = new Headers({ 'cache-control': 'max-age=60', age: '120' });
    assert.equal(remainingFreshnessSeconds(headers), 0);
  });

  it('ignores a malformed Age', () => {
    const headers = new Headers({ 'cache-control': 'max-age=60', age: 'soon' });
    assert.equal(remainingFreshnessSeconds(headers), 60);
  });

  it('is undefined without max-age, whatever the Age', () => {
    assert.equal(remainingFreshnessSeconds(new Headers({ age: '5' })), undefined);
  });
});
