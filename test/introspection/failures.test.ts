import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';

import { IntrospectionClient, type IntrospectionStyle } from '../../src/introspection/index.js';
import {
  IntrospectionServer,
  serveIntrospection,
  type Fault,
} from '../support/introspection-server.js';
import { rejection } from './helpers.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl';
const SECRET = 'introspection-secret-0123456789';
const UNAVAILABLE = 'ERR_INTROSPECTION_UNAVAILABLE';

async function failingClient(
  t: Parameters<typeof serveIntrospection>[0],
  fault: Fault,
  options: { timeoutMs?: number; maxBytes?: number } = {},
) {
  const server = await serveIntrospection(t, { secret: SECRET });
  server.setActive(TOKEN).fail(fault);
  const client = new IntrospectionClient({ url: server.url, secret: SECRET, ...options });
  return { server, client };
}

test('fails with upstreamStatus 401 when the bearer secret is wrong', async (t) => {
  const server = await serveIntrospection(t, { secret: SECRET });
  server.setActive(TOKEN);
  const client = new IntrospectionClient({ url: server.url, secret: 'not-the-secret' });

  const error = await rejection(client.isActive(TOKEN));

  assert.equal(error.code, UNAVAILABLE);
  assert.equal(error.upstreamStatus, 401);
  assert.equal(error.status, 503);
  assert.equal(error.url, server.url);
});

test('fails with upstreamStatus 401 when the RFC 7662 client credentials are wrong', async (t) => {
  const server = await serveIntrospection(t, { style: 'rfc7662', secret: 'client:right' });
  server.setActive(TOKEN);
  const client = new IntrospectionClient({
    url: server.url,
    style: 'rfc7662',
    secret: 'client:wrong',
  });

  const error = await rejection(client.isActive(TOKEN));

  assert.equal(error.code, UNAVAILABLE);
  assert.equal(error.upstreamStatus, 401);
});

test('fails with the upstream status when the endpoint answers 500', async (t) => {
  const { client } = await failingClient(t, { kind: 'status', status: 500 });

  const error = await rejection(client.isActive(TOKEN));

  assert.equal(error.code, UNAVAILABLE);
  assert.equal(error.upstreamStatus, 500);
  assert.equal(client.stats.failures, 1);
});

test('fails on a 204 even though it is a success status', async (t) => {
  const { client } = await failingClient(t, { kind: 'status', status: 204, body: '' });

  const error = await rejection(client.isActive(TOKEN));

  assert.equal(error.code, UNAVAILABLE);
  assert.equal(error.upstreamStatus, 204);
});

test('fails when the endpoint does not answer within timeoutMs', async (t) => {
  const { client } = await failingClient(t, { kind: 'delay', ms: 5000 }, { timeoutMs: 100 });

  const error = await rejection(client.isActive(TOKEN));

  assert.equal(error.code, UNAVAILABLE);
  assert.equal(error.upstreamStatus, undefined);
  assert.ok(error.cause !== undefined);
});

test('fails when the body does not arrive within timeoutMs', async (t) => {
  const { client } = await failingClient(t, { kind: 'stall' }, { timeoutMs: 100 });

  const error = await rejection(client.isActive(TOKEN));

  assert.equal(error.code, UNAVAILABLE);
  assert.equal(error.upstreamStatus, 200);
});

test('fails when the endpoint cannot be reached', async (t) => {
  const server = await IntrospectionServer.start();
  await server.close();
  const client = new IntrospectionClient({ url: server.url, secret: SECRET });
  t.diagnostic('connecting to a port that was just closed');

  const error = await rejection(client.isActive(TOKEN));

  assert.equal(error.code, UNAVAILABLE);
  assert.equal(error.upstreamStatus, undefined);
  assert.ok(error.cause !== undefined);
});

test('does not follow a redirect, and fails with its status', async (t) => {
  for (const status of [302, 307]) {
    const server = await serveIntrospection(t, { secret: SECRET });
    server.setActive(TOKEN).fail({ kind: 'redirect', location: server.url, status });
    const client = new IntrospectionClient({ url: server.url, secret: SECRET });

    const error = await rejection(client.isActive(TOKEN));

    assert.equal(error.code, UNAVAILABLE);
    assert.equal(error.upstreamStatus, status);
    assert.equal(server.requestCount, 1, 'the redirect target was requested');
  }
});

test('fails when the body is not JSON', async (t) => {
  const { client } = await failingClient(t, { kind: 'body', body: '<html>Bad gateway</html>' });

  const error = await rejection(client.isActive(TOKEN));

  assert.equal(error.code, UNAVAILABLE);
  assert.equal(error.upstreamStatus, 200);
});

test('fails when the body is not UTF-8', async (t) => {
  // `{"active":true,"sub":"<0xff>"}`: a lone 0xff byte is never valid UTF-8.
  const body = Buffer.concat([Buffer.from('{"active":true,"sub":"'), Buffer.of(0xff, 0x22, 0x7d)]);
  const { client } = await failingClient(t, { kind: 'body', body });

  const error = await rejection(client.isActive(TOKEN));

  assert.equal(error.code, UNAVAILABLE);
  assert.equal(error.upstreamStatus, 200);
});

test('refuses answers whose active member is not the boolean true or false', async (t) => {
  const bodies = [
    '{"active":"true"}',
    '{"active":1}',
    '{"active":null}',
    '{"sub":"user-1"}',
    '[{"active":true}]',
    'true',
    'null',
    '{"active":true,"exp":"2099-01-01"}',
    '{"active":true,"exp":null}',
  ];
  const { server, client } = await failingClient(t, { kind: 'body', body: '' });

  for (const body of bodies) {
    server.fail({ kind: 'body', body });

    const error = await rejection(client.isActive(TOKEN));

    assert.equal(error.code, UNAVAILABLE, body);
    assert.equal(error.upstreamStatus, 200, body);
  }
});

test('fails when the declared body is larger than maxBytes', async (t) => {
  const body = JSON.stringify({ active: true, roles: Array.from({ length: 200 }, () => 'role') });
  const { client } = await failingClient(t, { kind: 'body', body }, { maxBytes: 512 });

  const error = await rejection(client.isActive(TOKEN));

  assert.equal(error.code, UNAVAILABLE);
  assert.equal(error.upstreamStatus, 200);
});

test('fails when a chunked body grows past maxBytes', async (t) => {
  const body = JSON.stringify({ active: true, roles: Array.from({ length: 200 }, () => 'role') });
  const fault: Fault = { kind: 'body', body, chunked: true };
  const { client } = await failingClient(t, fault, { maxBytes: 512 });

  const error = await rejection(client.isActive(TOKEN));

  assert.equal(error.code, UNAVAILABLE);
  assert.equal(error.upstreamStatus, 200);
});

test('accepts a chunked body within maxBytes', async (t) => {
  const fault: Fault = { kind: 'body', body: '{"active":true}', chunked: true };
  const { client } = await failingClient(t, fault, { maxBytes: 512 });

  assert.equal(await client.isActive(TOKEN), true);
});

test('never puts the token or the secret in an error', async (t) => {
  const faults: Fault[] = [
    { kind: 'status', status: 500, body: 'token=' + TOKEN },
    { kind: 'status', status: 401 },
    { kind: 'delay', ms: 5000 },
    { kind: 'stall' },
    // An error page that echoes the request: JSON.parse would quote it in its message.
    { kind: 'body', body: `${TOKEN} ${SECRET} is not JSON` },
    { kind: 'body', body: JSON.stringify({ active: 'true', token: TOKEN, secret: SECRET }) },
    { kind: 'body', body: `{"active":true,"pad":"${TOKEN.repeat(40)}"}` },
    { kind: 'redirect', location: `/elsewhere?token=${TOKEN}` },
  ];
  const styles: [IntrospectionStyle, string][] = [
    ['authfort', SECRET],
    ['rfc7662', `client-id:${SECRET}`],
  ];

  const errors: unknown[] = [];
  for (const [style, secret] of styles) {
    const server = await serveIntrospection(t, { style, secret });
    server.setActive(TOKEN);
    const client = new IntrospectionClient({
      url: server.url,
      style,
      secret,
      timeoutMs: 100,
      maxBytes: 1024,
    });

    for (const fault of faults) {
      server.fail(fault);
      errors.push(await rejection(client.isActive(TOKEN)));
    }
  }

  const closed = await IntrospectionServer.start();
  await closed.close();
  const unreachable = new IntrospectionClient({ url: closed.url, secret: SECRET });
  errors.push(await rejection(unreachable.isActive(TOKEN)));

  for (const error of errors) {
    const seen = [
      (error as Error).message,
      JSON.stringify(error),
      inspect(error, { depth: Infinity, showHidden: true }),
    ].join('\n');
    assert.ok(!seen.includes(TOKEN), `the token leaked: ${seen}`);
    assert.ok(!seen.includes(SECRET), `the secret leaked: ${seen}`);
    assert.ok(!seen.includes(Buffer.from(`client-id:${SECRET}`).toString('base64')));
  }
});
