import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { fetchBounded, MAX_REDIRECTS, redactUrl } from '../../src/jwks/fetch.js';
import { JwksServer } from '../support/jwks-server.js';

const LIMITS = { timeoutMs: 2000, maxBytes: 4096, accept: 'application/json' };

describe('fetchBounded', () => {
  let issuer: JwksServer;
  let other: JwksServer;

  beforeEach(async () => {
    [issuer, other] = await Promise.all([JwksServer.start(), JwksServer.start()]);
  });

  afterEach(async () => {
    await Promise.all([issuer.close(), other.close()]);
  });

  it('reads a 200 body with its headers', async () => {
    const response = await fetchBounded(issuer.jwksUrl, LIMITS);
    assert.deepEqual(JSON.parse(Buffer.from(response.bytes).toString()), { keys: [] });
    assert.equal(response.headers.get('cache-control'), 'public, max-age=3600');
    assert.equal(response.url, issuer.jwksUrl);
    assert.equal(issuer.requests[0]?.headers.accept, 'application/json');
  });

  it('keeps the upstream status of a non-200 answer', async () => {
    for (const status of [404, 500, 503, 204]) {
      issuer.respondOnce(issuer.jwksPath, { status, body: 'nope' });
      await assert.rejects(fetchBounded(issuer.jwksUrl, LIMITS), {
        code: 'ERR_JWKS_FETCH_FAILED',
        upstreamStatus: status,
        url: issuer.jwksUrl,
      });
    }
  });

  it('reports a dropped connection as a failed fetch', async () => {
    issuer.respondOnce(issuer.jwksPath, { destroy: true });
    await assert.rejects(fetchBounded(issuer.jwksUrl, LIMITS), (error: unknown) => {
      assert.equal((error as { code?: unknown }).code, 'ERR_JWKS_FETCH_FAILED');
      assert.equal((error as { upstreamStatus?: unknown }).upstreamStatus, undefined);
      return true;
    });
  });

  it('reports a closed port as a failed fetch', async () => {
    const url = issuer.jwksUrl;
    await issuer.close();
    issuer = await JwksServer.start();
    await assert.rejects(fetchBounded(url, LIMITS), { code: 'ERR_JWKS_FETCH_FAILED', url });
  });

  it('times out a server that never answers', async () => {
    issuer.respondOnce(issuer.jwksPath, { hang: true });
    await assert.rejects(fetchBounded(issuer.jwksUrl, { ...LIMITS, timeoutMs: 100 }), {
      code: 'ERR_JWKS_TIMEOUT',
      url: issuer.jwksUrl,
    });
  });

  it('times out a body that trickles in past the deadline', async () => {
    issuer.respond(issuer.jwksPath, (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"keys":');
    });
    await assert.rejects(fetchBounded(issuer.jwksUrl, { ...LIMITS, timeoutMs: 150 }), {
      code: 'ERR_JWKS_TIMEOUT',
    });
  });

  it('refuses a body whose Content-Length exceeds the cap', async () => {
    issuer.respondOnce(issuer.jwksPath, { body: 'x'.repeat(LIMITS.maxBytes + 1) });
    await assert.rejects(fetchBounded(issuer.jwksUrl, LIMITS), {
      code: 'ERR_JWKS_TOO_LARGE',
      upstreamStatus: 200,
    });
  });

  it('counts streamed bytes when there is no Content-Length', async () => {
    issuer.respondOnce(issuer.jwksPath, { streamBytes: 10 * 1024 * 1024 });
    await assert.rejects(fetchBounded(issuer.jwksUrl, LIMITS), { code: 'ERR_JWKS_TOO_LARGE' });
  });

  it('accepts a body of exactly the cap', async () => {
    issuer.respondOnce(issuer.jwksPath, { streamBytes: LIMITS.maxBytes });
    const response = await fetchBounded(issuer.jwksUrl, LIMITS);
    assert.equal(response.bytes.byteLength, LIMITS.maxBytes);
  });

  it('follows same-origin redirects', async () => {
    issuer.respondOnce('/old', { redirectTo: '/older', status: 301 });
    issuer.respondOnce('/older', { redirectTo: issuer.jwksUrl, status: 307 });
    const response = await fetchBounded(issuer.url('/old'), LIMITS);
    assert.equal(response.url, issuer.jwksUrl);
    assert.equal(issuer.requestCount(issuer.jwksPath), 1);
  });

  it('refuses a redirect to another origin without requesting it', async () => {
    issuer.respondOnce(issuer.jwksPath, { redirectTo: other.jwksUrl });
    await assert.rejects(fetchBounded(issuer.jwksUrl, LIMITS), {
      code: 'ERR_JWKS_REDIRECT',
      upstreamStatus: 302,
      url: issuer.jwksUrl,
    });
    assert.equal(other.requestCount(), 0);
  });

  it(`stops after ${MAX_REDIRECTS} redirects`, async () => {
    issuer.respond('/loop', { redirectTo: '/loop' });
    await assert.rejects(fetchBounded(issuer.url('/loop'), LIMITS), {
      code: 'ERR_JWKS_FETCH_FAILED',
      upstreamStatus: 302,
    });
    assert.equal(issuer.requestCount('/loop'), MAX_REDIRECTS + 1);
  });

  it('fails a redirect without a Location', async () => {
    issuer.respondOnce(issuer.jwksPath, { status: 302, body: '' });
    await assert.rejects(fetchBounded(issuer.jwksUrl, LIMITS), {
      code: 'ERR_JWKS_FETCH_FAILED',
      upstreamStatus: 302,
    });
  });

  it('reports an abort through the signal as a failed fetch', async () => {
    issuer.respondOnce(issuer.jwksPath, { hang: true });
    const controller = new AbortController();
    const pending = fetchBounded(issuer.jwksUrl, { ...LIMITS, signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, { code: 'ERR_JWKS_FETCH_FAILED' });
  });
});

describe('redactUrl', () => {
  it('drops credentials and keeps the rest', () => {
    assert.equal(
      redactUrl('https://user:pw@auth.test/jwks?tenant=a'),
      'https://auth.test/jwks?tenant=a',
    );
  });
});
