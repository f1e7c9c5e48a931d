import assert from 'node:assert/strict';
import { test } from 'node:test';

import { IntrospectionClient } from '../../src/introspection/index.js';
import { serveIntrospection } from '../support/introspection-server.js';
import { fakeClock } from './helpers.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl';
const SECRET = 'introspection-secret-0123456789';

test('reports an active token as active (AuthFort style)', async (t) => {
  const server = await serveIntrospection(t, { secret: SECRET });
  server.setActive(TOKEN);
  const client = new IntrospectionClient({ url: server.url, secret: SECRET });

  assert.equal(await client.isActive(TOKEN), true);
});

test('sends AuthFort requests as a JSON body with the bearer secret', async (t) => {
  const server = await serveIntrospection(t, { secret: SECRET });
  const client = new IntrospectionClient({ url: server.url, secret: SECRET });

  await client.isActive(TOKEN);

  const received = server.lastRequest;
  assert.equal(received.method, 'POST');
  assert.equal(received.url, '/auth/introspect');
  assert.equal(received.headers.authorization, `Bearer ${SECRET}`);
  assert.equal(received.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(received.body), { token: TOKEN });
});

test('reports an inactive token (HTTP 200, active: false) as inactive', async (t) => {
  const server = await serveIntrospection(t, { secret: SECRET });
  server.setInactive(TOKEN);
  const client = new IntrospectionClient({ url: server.url, secret: SECRET });

  assert.equal(await client.isActive(TOKEN), false);
  assert.equal(client.stats.failures, 0);
});

test('reports a token the server does not know as inactive', async (t) => {
  const server = await serveIntrospection(t, { secret: SECRET });
  const client = new IntrospectionClient({ url: server.url, secret: SECRET });

  assert.equal(await client.isActive('some-other-token'), false);
});

test('reports an active answer whose exp has passed as inactive', async (t) => {
  const clock = fakeClock();
  const server = await serveIntrospection(t, { secret: SECRET });
  server.setActive(TOKEN, { exp: clock.seconds - 1 });
  const client = new IntrospectionClient({ url: server.url, secret: SECRET, clock: clock.now });

  assert.equal(await client.isActive(TOKEN), false);
});

test('reports an active answer without exp as active', async (t) => {
  const server = await serveIntrospection(t, { style: 'rfc7662' });
  server.setAnswer(TOKEN, { active: true, scope: 'read' });
  const client = new IntrospectionClient({ url: server.url, style: 'rfc7662' });

  assert.equal(await client.isActive(TOKEN), true);
});

test('believes an inactive answer whatever else it carries', async (t) => {
  const server = await serveIntrospection(t);
  server.setAnswer(TOKEN, { active: false, exp: 'soon', sub: null });
  const client = new IntrospectionClient({ url: server.url });

  assert.equal(await client.isActive(TOKEN), false);
});

test('sends RFC 7662 requests as a form with form-encoded Basic client credentials', async (t) => {
  // A space in the client id and every reserved character in the secret, colon included.
  const secret = 'my client:s3cr:t/+&=%';
  const server = await serveIntrospection(t, { style: 'rfc7662', secret });
  server.setAnswer(TOKEN, { active: true, scope: 'read write', sub: 'user-1' });
  const client = new IntrospectionClient({ url: server.url, style: 'rfc7662', secret });

  assert.equal(await client.isActive(TOKEN), true);

  const received = server.lastRequest;
  assert.equal(received.method, 'POST');
  assert.equal(received.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.equal(received.headers.accept, 'application/json');
  // RFC 6749 section 2.3.1 and Appendix B, worked by hand: "my client" -> "my+client",
  // "s3cr:t/+&=%" -> "s3cr%3At%2F%2B%26%3D%25".
  const userPass = 'my+client:s3cr%3At%2F%2B%26%3D%25';
  assert.equal(received.headers.authorization, `Basic ${Buffer.from(userPass).toString('base64')}`);
  assert.equal(
    received.body,
    'token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl' +
      '&token_type_hint=access_token',
  );
});

test('form-encodes a token with characters that need escaping', async (t) => {
  const server = await serveIntrospection(t, { style: 'rfc7662' });
  const client = new IntrospectionClient({ url: server.url, style: 'rfc7662' });

  await client.isActive('a+b/c=d e&f');

  assert.equal(server.lastRequest.body, 'token=a%2Bb%2Fc%3Dd+e%26f&token_type_hint=access_token');
  assert.equal(server.lastRequest.token, 'a+b/c=d e&f');
});

test('sends no Authorization header when no secret is configured', async (t) => {
  const server = await serveIntrospection(t);
  const client = new IntrospectionClient({ url: server.url });

  await client.isActive(TOKEN);

  assert.equal(server.lastRequest.headers.authorization, undefined);
});

test('posts to the configured URL as is, query string included', async (t) => {
  const server = await serveIntrospection(t, { path: '/introspect?tenant=a' });
  server.setActive(TOKEN);
  const client = new IntrospectionClient({ url: server.url });

  assert.equal(await client.isActive(TOKEN), true);
  assert.equal(server.lastRequest.url, '/introspect?tenant=a');
  assert.equal(client.url, server.url.replace('?tenant=a', ''));
});

test('passes on the subject and current roles of an active AuthFort answer', async (t) => {
  const server = await serveIntrospection(t, { secret: SECRET });
  server.setActive(TOKEN, { sub: 'user-7', roles: ['support'] });
  const client = new IntrospectionClient({ url: server.url, secret: SECRET });

  const answer = await client.introspect(TOKEN);
  assert.equal(answer.active, true);
  assert.equal(answer.sub, 'user-7');
  assert.deepEqual(answer.roles, ['support']);
  // The cached answer carries them too.
  assert.deepEqual((await client.introspect(TOKEN)).roles, ['support']);
  assert.equal(client.stats.requests, 1);
});

test('says nothing but inactive for an inactive answer, whatever else it carries', async (t) => {
  const server = await serveIntrospection(t, { secret: SECRET });
  server.setAnswer(TOKEN, { active: false, sub: 'user-7', roles: ['admin'] });
  const client = new IntrospectionClient({ url: server.url, secret: SECRET });

  assert.deepEqual(await client.introspect(TOKEN), { active: false });
});

test('refuses an active answer whose roles or subject are not what they must be', async (t) => {
  const server = await serveIntrospection(t, { secret: SECRET });
  const client = new IntrospectionClient({ url: server.url, secret: SECRET, cacheSeconds: 0 });

  for (const extra of [{ roles: 'admin' }, { roles: ['admin', 7] }, { sub: 42 }]) {
    server.setActive(TOKEN, extra);
    await assert.rejects(client.introspect(TOKEN), { code: 'ERR_INTROSPECTION_UNAVAILABLE' });
  }
});
