import assert from 'node:assert/strict';
import { test } from 'node:test';

import { IntrospectionClient } from '../../src/introspection/index.js';
import { serveIntrospection } from '../support/introspection-server.js';
import { fakeClock, rejection } from './helpers.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl';

async function setUp(t: Parameters<typeof serveIntrospection>[0], cacheSeconds?: number) {
  const clock = fakeClock();
  const server = await serveIntrospection(t, { clock: clock.now });
  const client = new IntrospectionClient({ url: server.url, cacheSeconds, clock: clock.now });
  return { clock, server, client };
}

test('answers a repeated token from the cache within the window', async (t) => {
  const { server, client } = await setUp(t);
  server.setActive(TOKEN);

  assert.equal(await client.isActive(TOKEN), true);
  assert.equal(await client.isActive(TOKEN), true);

  assert.equal(server.requestCount, 1);
  assert.equal(client.stats.requests, 1);
  assert.equal(client.stats.cacheHits, 1);
});

test('asks again once the 5 second default window has passed', async (t) => {
  const { clock, server, client } = await setUp(t);
  server.setActive(TOKEN);
  await client.isActive(TOKEN);

  clock.advanceSeconds(4);
  await client.isActive(TOKEN);
  assert.equal(server.requestCount, 1);

  // Revoked meanwhile: the next request after the window sees it.
  server.setInactive(TOKEN);
  clock.advanceSeconds(1);
  assert.equal(await client.isActive(TOKEN), false);
  assert.equal(server.requestCount, 2);
});

test('caches an inactive answer too', async (t) => {
  const { server, client } = await setUp(t);
  server.setInactive(TOKEN);

  assert.equal(await client.isActive(TOKEN), false);
  assert.equal(await client.isActive(TOKEN), false);

  assert.equal(server.requestCount, 1);
});

test('asks every time when cacheSeconds is 0', async (t) => {
  const { server, client } = await setUp(t, 0);
  server.setActive(TOKEN);

  await client.isActive(TOKEN);
  await client.isActive(TOKEN);
  await client.isActive(TOKEN);

  assert.equal(server.requestCount, 3);
  assert.equal(client.stats.cacheHits, 0);
  assert.equal(client.stats.cached, 0);
});

test('never serves a cached active answer past the token exp', async (t) => {
  const { clock, server, client } = await setUp(t, 60);
  server.setActive(TOKEN, { exp: clock.seconds + 10 });
  assert.equal(await client.isActive(TOKEN), true);

  clock.advanceSeconds(9);
  assert.equal(await client.isActive(TOKEN), true);
  assert.equal(server.requestCount, 1);

  clock.advanceSeconds(1);
  assert.equal(await client.isActive(TOKEN), false);
  assert.equal(server.requestCount, 2);
});

test('never caches a failure', async (t) => {
  const { server, client } = await setUp(t);
  server.setActive(TOKEN).fail({ kind: 'status', status: 503 });

  const error = await rejection(client.isActive(TOKEN));
  assert.equal(error.code, 'ERR_INTROSPECTION_UNAVAILABLE');

  server.fail(undefined);
  assert.equal(await client.isActive(TOKEN), true);
  assert.equal(server.requestCount, 2);
  assert.equal(client.stats.failures, 1);
});

test('keeps cacheMaxEntries answers, dropping the least recently used', async (t) => {
  const clock = fakeClock();
  const server = await serveIntrospection(t, { clock: clock.now });
  const client = new IntrospectionClient({
    url: server.url,
    cacheMaxEntries: 2,
    clock: clock.now,
  });
  for (const token of ['a', 'b', 'c']) server.setActive(token);

  await client.isActive('a');
  await client.isActive('b');
  await client.isActive('a'); // a is now the most recently used
  await client.isActive('c'); // drops b
  assert.equal(server.requestCount, 3);
  assert.equal(client.stats.cached, 2);

  await client.isActive('a');
  assert.equal(server.requestCount, 3);
  await client.isActive('b');
  assert.equal(server.requestCount, 4);
});

test('sends one request for 100 concurrent calls with the same token', async (t) => {
  const { server, client } = await setUp(t, 0);
  server.setActive(TOKEN).fail({ kind: 'delay', ms: 50 });

  const answers = await Promise.all(Array.from({ length: 100 }, () => client.isActive(TOKEN)));

  assert.deepEqual(new Set(answers), new Set([true]));
  assert.equal(server.requestCount, 1);
  assert.equal(client.stats.coalesced, 99);
  assert.equal(client.stats.inFlight, 0);
});

test('shares one failure among concurrent calls, then asks again', async (t) => {
  const { server, client } = await setUp(t);
  server.setActive(TOKEN).fail({ kind: 'status', status: 500 });

  const outcomes = await Promise.allSettled(
    Array.from({ length: 100 }, () => client.isActive(TOKEN)),
  );

  assert.equal(server.requestCount, 1);
  for (const outcome of outcomes) {
    assert.equal(outcome.status, 'rejected');
    assert.equal((outcome.reason as { code?: unknown }).code, 'ERR_INTROSPECTION_UNAVAILABLE');
  }

  server.fail(undefined);
  assert.equal(await client.isActive(TOKEN), true);
  assert.equal(server.requestCount, 2);
});

test('introspects different tokens separately', async (t) => {
  const { server, client } = await setUp(t);
  server.setActive('a').setInactive('b');

  const [a, b] = await Promise.all([client.isActive('a'), client.isActive('b')]);

  assert.equal(a, true);
  assert.equal(b, false);
  assert.equal(server.requestCount, 2);
});
