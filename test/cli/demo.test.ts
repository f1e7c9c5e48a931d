/**
 * `npm start` (the `demo` command) and the `check` command it tells a newcomer to run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runCli } from '../support/cli-process.js';
import { freePorts } from '../support/ports.js';

function printed(lines: readonly Record<string, unknown>[], name: string): string {
  const line = lines.find(
    (l) => typeof l['text'] === 'string' && l['text'].startsWith(`  ${name}=`),
  );
  assert.ok(line, `the demo printed no ${name}`);
  return (line['text'] as string).slice(name.length + 3);
}

test('the demo answers checks with the tokens it prints, over HTTP and by `check`', async (t) => {
  const [grpc, http, metrics] = await freePorts(3);
  const demo = runCli(['demo'], {
    AUTHFORT_GRPC_ADDR: `127.0.0.1:${grpc}`,
    AUTHFORT_HTTP_ADDR: `127.0.0.1:${http}`,
    AUTHFORT_METRICS_ADDR: `127.0.0.1:${metrics}`,
  });
  t.after(() => demo.kill());
  await demo.waitForLine((line) => line['text'] === 'Press Ctrl-C to stop.');

  const token = printed(demo.lines, 'TOKEN');
  const admin = printed(demo.lines, 'ADMIN');
  const auth = (query: string, bearer: string) =>
    fetch(`http://127.0.0.1:${http}/auth${query}`, {
      headers: { authorization: `Bearer ${bearer}` },
    });

  const allowed = await auth('', token);
  assert.equal(allowed.status, 200);
  assert.equal(allowed.headers.get('x-user-id'), 'user-42');
  assert.equal((await auth('?roles=admin', token)).status, 403);
  assert.equal((await auth('?roles=admin', admin)).status, 200);

  const addr = `127.0.0.1:${grpc}`;
  const check = async (args: string[]) => {
    const run = runCli(['check', '--addr', addr, ...args], {});
    const code = await run.exited();
    return { code, out: run.lines.map((line) => line['text']).join('\n') };
  };

  const user = await check(['--token', token, '--path', '/orders/7']);
  assert.equal(user.code, 0);
  assert.match(user.out, /^ALLOW/);
  assert.match(user.out, /x-user-id: user-42/);

  const denied = await check(['--token', token, '--ext', 'required_roles=admin']);
  assert.equal(denied.code, 1);
  assert.match(denied.out, /^DENY 403/);

  assert.equal((await check(['--token', admin, '--ext', 'required_roles=admin'])).code, 0);

  demo.child.kill('SIGINT');
  assert.equal(await demo.exited(), 0);
});

test('check exits 2 when no server answers', async () => {
  const [port] = await freePorts(1);
  const run = runCli(['check', '--addr', `127.0.0.1:${port}`, '--timeout-ms', '2000'], {});
  assert.equal(await run.exited(), 2);
  assert.match(run.stderr(), /check failed: gRPC status 14/);
});

test('check refuses a timeout that is not a whole number of milliseconds', async () => {
  const run = runCli(['check', '--timeout-ms', 'soon'], {});
  assert.equal(await run.exited(), 2);
  assert.match(run.stderr(), /--timeout-ms/);
});
