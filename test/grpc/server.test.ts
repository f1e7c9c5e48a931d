/**
 * The gRPC port as Envoy meets it: a real service on port 0, a real key set server, and a client
 * built from Envoy's official protos, so every response is read the way Envoy reads it.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';

import { credentials, status } from '@grpc/grpc-js';

import type { Authorizer } from '../../src/decision/authorizer.js';
import { DEFAULT_TOKEN_SOURCES } from '../../src/decision/token-source.js';
import { DEFAULT_IDENTITY_HEADERS } from '../../src/decision/identity.js';
import { HeaderAppendAction, type CheckResponse } from '../../src/grpc/proto.js';
import { bindGrpcServer, createGrpcServer, serverCredentials } from '../../src/grpc/server.js';
import { OfficialAuthorizationClient, type HealthCheckResponse } from '../support/envoy-protos.js';
import { IntrospectionServer, serveIntrospection } from '../support/introspection-server.js';
import { JwksServer } from '../support/jwks-server.js';
import {
  authFortClaims,
  generateSigningKey,
  mfaChallengeClaims,
  nowSeconds,
  signToken,
  unsecuredToken,
  withTamperedPayload,
} from '../support/keys.js';
import {
  callCheck,
  checkRequest,
  headerOf,
  parseChallenge,
  startHarness,
  type CheckOutcome,
  INTROSPECTION_SECRET,
  introspectionEnv,
} from '../support/service-harness.js';

const key = await generateSigningKey();
const strangerKey = await generateSigningKey();

const IDENTITY = ['x-user-id', 'x-user-email', 'x-user-roles'];

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The response of an outcome that must not be an RPC error. */
function responseOf(outcome: CheckOutcome): CheckResponse {
  assert.equal(outcome.error, undefined, `unexpected RPC error: ${outcome.error?.message}`);
  assert.ok(outcome.response);
  return outcome.response;
}

/** Asserts an allow and returns its ok_response. */
function assertAllowed(outcome: CheckOutcome) {
  const response = responseOf(outcome);
  assert.equal(response.status?.code, 0);
  assert.equal(response.http_response, 'ok_response');
  assert.ok(response.ok_response);
  return response.ok_response;
}

/** Asserts a denial with this gRPC code, HTTP status and error code; returns the response. */
function assertDenied(outcome: CheckOutcome, grpcCode: number, httpStatus: number, code: string) {
  const response = responseOf(outcome);
  assert.equal(response.status?.code, grpcCode);
  assert.equal(response.http_response, 'denied_response');
  assert.equal(response.ok_response, undefined);
  assert.equal(response.dynamic_metadata, null);
  const denied = response.denied_response;
  assert.ok(denied);
  assert.equal(denied.status?.code, httpStatus);
  assert.deepEqual(JSON.parse(denied.body), { error: code });
  assert.equal(headerOf(denied.headers, 'content-type'), 'application/json');
  for (const name of IDENTITY) assert.equal(headerOf(denied.headers, name), undefined);
  return response;
}

function challengeOf(response: CheckResponse) {
  const value = headerOf(response.denied_response?.headers, 'www-authenticate');
  assert.ok(value, 'a WWW-Authenticate header');
  return parseChallenge(value);
}

/** Asserts the 401 `invalid_token` denial DESIGN.md's table gives a refused token. */
function assertInvalidToken(outcome: CheckOutcome, code: string): void {
  const response = assertDenied(outcome, 16, 401, code);
  const challenge = challengeOf(response);
  assert.equal(challenge.scheme, 'Bearer');
  assert.equal(challenge.params['realm'], 'authfort');
  assert.equal(challenge.params['error'], 'invalid_token');
}

function assertUnavailable(outcome: CheckOutcome): void {
  assert.equal(outcome.response, undefined);
  assert.ok(outcome.error, 'the RPC fails');
  assert.equal(outcome.error.code, status.UNAVAILABLE);
}

describe('gRPC Check: allow', () => {
  it('allows a valid token and overwrites every identity header', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key, { claims: authFortClaims({ roles: ['user', 'editor'] }) });

    const ok = assertAllowed(await svc.check(checkRequest(bearer(token))));

    assert.deepEqual(
      ok.headers.map((option) => [option.header?.key, option.header?.value]),
      [
        ['x-user-id', 'user-1'],
        ['x-user-email', 'ada@example.com'],
        ['x-user-roles', 'user,editor'],
      ],
    );
    for (const option of ok.headers) {
      assert.equal(option.append_action, HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD);
      // A set `append` would override append_action on every Envoy version.
      assert.equal(option.append, null);
    }
    assert.deepEqual(ok.headers_to_remove, []);
  });

  it('puts the subject and roles into dynamic_metadata', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key, { claims: authFortClaims({ roles: ['admin', 'user'] }) });

    const response = responseOf(await svc.check(checkRequest(bearer(token))));

    const fields = response.dynamic_metadata?.fields;
    assert.ok(fields);
    assert.equal(fields['sub']?.stringValue, 'user-1');
    const roles = fields['roles']?.listValue?.values.map((value) => value.stringValue);
    assert.deepEqual(roles, ['admin', 'user']);
    assert.equal(fields['email']?.stringValue, 'ada@example.com');
  });

  it('lists a managed header the token does not fill in headers_to_remove', async (t) => {
    const svc = await startHarness(t, {
      key,
      env: { AUTHFORT_REQUIRED_CLAIMS: 'sub,roles,iat,exp,iss' },
    });
    const token = await signToken(key, { claims: authFortClaims({ email: undefined }) });

    const ok = assertAllowed(await svc.check(checkRequest(bearer(token))));

    assert.deepEqual(ok.headers_to_remove, ['x-user-email']);
    assert.equal(headerOf(ok.headers, 'x-user-email'), undefined);
    assert.equal(headerOf(ok.headers, 'x-user-id'), 'user-1');
  });

  it('never lets a client smuggle its own identity headers', async (t) => {
    const svc = await startHarness(t, {
      key,
      env: { AUTHFORT_REQUIRED_CLAIMS: 'sub,roles,iat,exp,iss' },
    });
    const token = await signToken(key, { claims: authFortClaims({ email: undefined }) });

    const ok = assertAllowed(
      await svc.check(
        checkRequest({
          ...bearer(token),
          'x-user-id': 'evil',
          'x-user-email': 'evil@example.com',
          'x-user-roles': 'admin',
        }),
      ),
    );

    const id = ok.headers.find((option) => option.header?.key === 'x-user-id');
    assert.equal(id?.header?.value, 'user-1');
    assert.equal(id?.append_action, HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD);
    assert.equal(headerOf(ok.headers, 'x-user-roles'), 'user');
    assert.ok(ok.headers_to_remove.includes('x-user-email'));
  });

  it('never puts a claim holding CR/LF or non-ASCII into a header: it is removed', async (t) => {
    const svc = await startHarness(t, { key });
    const email = 'ada@example.com\r\nx-user-roles: admin';
    const claims = authFortClaims({ email, sub: 'usér' });
    const token = await signToken(key, { claims });

    const ok = assertAllowed(await svc.check(checkRequest(bearer(token))));

    assert.deepEqual(
      ok.headers.map((option) => [option.header?.key, option.header?.value]),
      [['x-user-roles', 'user']],
    );
    assert.deepEqual(ok.headers_to_remove, ['x-user-id', 'x-user-email']);
  });

  it('accepts the Bearer scheme in any case', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key);

    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      assertAllowed(await svc.check(checkRequest({ authorization: `${scheme} ${token}` })));
    }
  });

  it('reads raw headers (header_map), as encode_raw_headers sends them', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key);

    const ok = assertAllowed(
      await svc.check(checkRequest([['authorization', `Bearer ${token}`]], { raw: true })),
    );
    assert.equal(headerOf(ok.headers, 'x-user-id'), 'user-1');
  });

  it('refuses two Authorization lines in header_map rather than pick one', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key);

    const lines = [
      ['authorization', `Bearer ${token}`],
      ['authorization', `Bearer ${token}`],
    ] as const;
    assertInvalidToken(await svc.check(checkRequest(lines, { raw: true })), 'ERR_TOKEN_MALFORMED');
  });
});

describe('gRPC Check: denials', () => {
  it('answers a request without a token 401 with a bare realm challenge', async (t) => {
    const svc = await startHarness(t, { key });

    const response = assertDenied(await svc.check(checkRequest()), 16, 401, 'ERR_TOKEN_MISSING');

    assert.equal(
      headerOf(response.denied_response?.headers, 'www-authenticate'),
      'Bearer realm="authfort"',
    );
    // RFC 6750 section 3.1: no error attribute when the request had no authentication.
    assert.equal(challengeOf(response).params['error'], undefined);
  });

  it('answers 401 invalid_token for an expired token', async (t) => {
    const svc = await startHarness(t, { key });
    const past = nowSeconds() - 3600;
    const token = await signToken(key, { claims: authFortClaims({}, past) });

    assertInvalidToken(await svc.check(checkRequest(bearer(token))), 'ERR_TOKEN_EXPIRED');
  });

  it('answers 401 invalid_token for a bad signature', async (t) => {
    const svc = await startHarness(t, { key });
    const token = withTamperedPayload(await signToken(key), authFortClaims({ roles: ['admin'] }));

    assertInvalidToken(await svc.check(checkRequest(bearer(token))), 'ERR_TOKEN_SIGNATURE_INVALID');
  });

  it('answers 401 invalid_token for a token from another issuer', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key, { claims: authFortClaims({ iss: 'someone-else' }) });

    assertInvalidToken(await svc.check(checkRequest(bearer(token))), 'ERR_TOKEN_ISSUER_MISMATCH');
  });

  it('answers 401 invalid_token for a key the issuer does not publish', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(strangerKey);

    assertInvalidToken(await svc.check(checkRequest(bearer(token))), 'ERR_TOKEN_KEY_UNKNOWN');
  });

  it('refuses an unsigned token and an MFA challenge token', async (t) => {
    const svc = await startHarness(t, { key });

    assertInvalidToken(
      await svc.check(checkRequest(bearer(unsecuredToken()))),
      'ERR_TOKEN_ALG_NOT_ALLOWED',
    );
    const mfa = await signToken(key, { claims: mfaChallengeClaims() });
    const outcome = await svc.check(checkRequest(bearer(mfa)));
    assert.equal(responseOf(outcome).status?.code, 16);
  });

  it('answers 403 insufficient_scope when the token has none of the route roles', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key, { claims: authFortClaims({ roles: ['user'] }) });

    const response = assertDenied(
      await svc.check(
        checkRequest(bearer(token), { contextExtensions: { required_roles: 'admin,owner' } }),
      ),
      7,
      403,
      'ERR_ROLE_MISSING',
    );
    const challenge = challengeOf(response);
    assert.equal(challenge.params['realm'], 'authfort');
    assert.equal(challenge.params['error'], 'insufficient_scope');
  });

  it('allows any one of the route roles', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key, { claims: authFortClaims({ roles: ['owner'] }) });

    assertAllowed(
      await svc.check(
        checkRequest(bearer(token), { contextExtensions: { required_roles: 'admin,owner' } }),
      ),
    );
  });

  it('asks for a token before roles: no token on a role route is 401, not 403', async (t) => {
    const svc = await startHarness(t, { key });

    assertDenied(
      await svc.check(checkRequest({}, { contextExtensions: { required_roles: 'admin' } })),
      16,
      401,
      'ERR_TOKEN_MISSING',
    );
  });
});

describe('gRPC Check: junk in the request', () => {
  const junk: readonly [string, string, string][] = [
    ['a bare scheme', 'Bearer', 'ERR_TOKEN_MALFORMED'],
    ['a scheme and spaces', 'Bearer   ', 'ERR_TOKEN_MALFORMED'],
    ['a random string', 'Bearer not-a-jwt', 'ERR_TOKEN_MALFORMED'],
    ['non-ASCII', 'Bearer tökén.ünïcødé.sïg', 'ERR_TOKEN_MALFORMED'],
    ['a 100 KB token', `Bearer ${'a'.repeat(100 * 1024)}`, 'ERR_TOKEN_TOO_LARGE'],
  ];

  for (const [name, authorization, code] of junk) {
    it(`answers 401 invalid_token for ${name}`, async (t) => {
      const svc = await startHarness(t, { key });
      assertInvalidToken(await svc.check(checkRequest({ authorization })), code);
    });
  }

  it('treats another scheme (Basic) as no bearer token', async (t) => {
    const svc = await startHarness(t, { key });

    const response = assertDenied(
      await svc.check(checkRequest({ authorization: 'Basic YWxhZGRpbjpvcGVuc2VzYW1l' })),
      16,
      401,
      'ERR_TOKEN_MISSING',
    );
    assert.equal(challengeOf(response).params['error'], undefined);
  });

  it('refuses two tokens in one header, as Envoy joins repeated headers', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key);

    for (const authorization of [`Bearer ${token},Bearer ${token}`, `Bearer ${token} ${token}`]) {
      assertInvalidToken(await svc.check(checkRequest({ authorization })), 'ERR_TOKEN_MALFORMED');
    }
  });

  it('denies with 500 ERR_CONFIG_INVALID, never allows, on junk context_extensions', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key);

    const junkExtensions: Record<string, string>[] = [
      { introspect: 'yes' },
      { introspect: 'TRUE' },
      { required_role: 'admin' },
      { required_roles: '' },
      { required_roles: ' , ' },
    ];
    for (const contextExtensions of junkExtensions) {
      const response = assertDenied(
        await svc.check(checkRequest(bearer(token), { contextExtensions })),
        13,
        500,
        'ERR_CONFIG_INVALID',
      );
      const challenge = headerOf(response.denied_response?.headers, 'www-authenticate');
      assert.equal(challenge, undefined, 'an operator error is not the client’s to fix');
    }
  });

  it('answers a CheckRequest without attributes as a request without a token', async (t) => {
    const svc = await startHarness(t, { key });

    assertDenied(await svc.check({}), 16, 401, 'ERR_TOKEN_MISSING');
  });
});

describe('gRPC Check: dependencies', () => {
  it('fails the RPC with UNAVAILABLE on an introspection route without an endpoint', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key);

    assertUnavailable(
      await svc.check(checkRequest(bearer(token), { contextExtensions: { introspect: 'true' } })),
    );
  });

  it('allows an active token and refuses an inactive one with ERR_TOKEN_INACTIVE', async (t) => {
    const introspection = await serveIntrospection(t, { secret: INTROSPECTION_SECRET });
    const svc = await startHarness(t, {
      key,
      env: introspectionEnv(introspection),
    });
    const active = await signToken(key, { claims: authFortClaims({ sub: 'active-user' }) });
    const inactive = await signToken(key, { claims: authFortClaims({ sub: 'banned-user' }) });
    introspection.setActive(active, { sub: 'active-user' }).setInactive(inactive);
    const extensions = { contextExtensions: { introspect: 'true' } };

    assertAllowed(await svc.check(checkRequest(bearer(active), extensions)));
    assertInvalidToken(
      await svc.check(checkRequest(bearer(inactive), extensions)),
      'ERR_TOKEN_INACTIVE',
    );
    assert.equal(introspection.requestCount, 2);
  });

  it('judges an introspected route by the roles the auth server reports now', async (t) => {
    const introspection = await serveIntrospection(t, { secret: INTROSPECTION_SECRET });
    const svc = await startHarness(t, {
      key,
      env: introspectionEnv(introspection),
    });
    const claims = (sub: string) => authFortClaims({ sub, roles: ['admin', 'user'] });
    const demoted = await signToken(key, { claims: claims('demoted') });
    const current = await signToken(key, { claims: claims('current') });
    introspection
      .setActive(demoted, { sub: 'demoted', roles: ['user'] })
      .setActive(current, { sub: 'current', roles: ['admin'] });
    const extensions = { contextExtensions: { introspect: 'true', required_roles: 'admin' } };

    // The token still says admin; the auth server no longer does.
    assertDenied(
      await svc.check(checkRequest(bearer(demoted), extensions)),
      7,
      403,
      'ERR_ROLE_MISSING',
    );
    const allowed = assertAllowed(await svc.check(checkRequest(bearer(current), extensions)));
    assert.equal(headerOf(allowed.headers, 'x-user-roles'), 'admin');
  });

  it('does not ask the introspection endpoint when the route roles already fail', async (t) => {
    const introspection = await serveIntrospection(t, { secret: INTROSPECTION_SECRET });
    const svc = await startHarness(t, {
      key,
      env: introspectionEnv(introspection),
    });
    const token = await signToken(key);
    introspection.setActive(token);

    assertDenied(
      await svc.check(
        checkRequest(bearer(token), {
          contextExtensions: { introspect: 'true', required_roles: 'admin' },
        }),
      ),
      7,
      403,
      'ERR_ROLE_MISSING',
    );
    assert.equal(introspection.requestCount, 0);
  });

  it('fails the RPC with UNAVAILABLE when the introspection endpoint fails', async (t) => {
    const introspection = await IntrospectionServer.start({ secret: INTROSPECTION_SECRET });
    let closed = false;
    t.after(() => (closed ? undefined : introspection.close()));
    const svc = await startHarness(t, {
      key,
      env: introspectionEnv(introspection),
    });
    const extensions = { contextExtensions: { introspect: 'true' } };

    introspection.fail({ kind: 'status', status: 500 });
    const first = await signToken(key, { claims: authFortClaims({ sub: 'a' }) });
    assertUnavailable(await svc.check(checkRequest(bearer(first), extensions)));

    await introspection.close();
    closed = true;
    const second = await signToken(key, { claims: authFortClaims({ sub: 'b' }) });
    assertUnavailable(await svc.check(checkRequest(bearer(second), extensions)));
  });

  it('fails the RPC with UNAVAILABLE while no key set could ever be loaded', async (t) => {
    const issuer = await JwksServer.start({ keys: [key.publicJwk] });
    t.after(() => issuer.close());
    issuer.respond(issuer.jwksPath, { status: 500 });
    const svc = await startHarness(t, { key, issuer, waitReady: false });
    const token = await signToken(key);

    assertUnavailable(await svc.check(checkRequest(bearer(token))));
    assert.equal(svc.service.isReady(), false);
  });

  it('still answers a missing token 401 while the key set is down', async (t) => {
    const issuer = await JwksServer.start({ keys: [key.publicJwk] });
    t.after(() => issuer.close());
    issuer.respond(issuer.jwksPath, { status: 500 });
    const svc = await startHarness(t, { key, issuer, waitReady: false });

    assertDenied(await svc.check(checkRequest()), 16, 401, 'ERR_TOKEN_MISSING');
  });
});

describe('gRPC Check: YAML route rules', () => {
  const yaml = [
    'routes:',
    '  - path: /admin/**',
    '    roles: [admin]',
    '  - path: /orders/*/refund',
    '    methods: [POST]',
    '    roles: [billing]',
    '',
  ].join('\n');

  it('requires the rule role by path, and only there', async (t) => {
    const svc = await startHarness(t, { key, yaml });
    const user = await signToken(key, { claims: authFortClaims({ roles: ['user'] }) });
    const admin = await signToken(key, { claims: authFortClaims({ roles: ['admin'] }) });

    for (const path of ['/admin', '/admin/users', '/admin/users?x=1', '/orders/../admin/x']) {
      assertDenied(
        await svc.check(checkRequest(bearer(user), { path })),
        7,
        403,
        'ERR_ROLE_MISSING',
      );
      assertAllowed(await svc.check(checkRequest(bearer(admin), { path })));
    }
    assertAllowed(await svc.check(checkRequest(bearer(user), { path: '/orders/1' })));
  });

  it('matches rules on method too', async (t) => {
    const svc = await startHarness(t, { key, yaml });
    const user = await signToken(key);
    const path = '/orders/7/refund';

    assertAllowed(await svc.check(checkRequest(bearer(user), { path, method: 'GET' })));
    assertDenied(
      await svc.check(checkRequest(bearer(user), { path, method: 'post' })),
      7,
      403,
      'ERR_ROLE_MISSING',
    );
  });

  it('requires both the rule role and the context_extensions role', async (t) => {
    const svc = await startHarness(t, { key, yaml });
    const admin = await signToken(key, { claims: authFortClaims({ roles: ['admin'] }) });
    const both = await signToken(key, { claims: authFortClaims({ roles: ['admin', 'owner'] }) });
    const options = { path: '/admin/x', contextExtensions: { required_roles: 'owner' } };

    assertDenied(await svc.check(checkRequest(bearer(admin), options)), 7, 403, 'ERR_ROLE_MISSING');
    assertAllowed(await svc.check(checkRequest(bearer(both), options)));
  });
});

describe('gRPC health', () => {
  it('is NOT_SERVING until the key set loads, then SERVING', async (t) => {
    const issuer = await JwksServer.start({ keys: [key.publicJwk] });
    t.after(() => issuer.close());
    const held = issuer.holdKeySet();
    const svc = await startHarness(t, { key, issuer, waitReady: false });
    await held.asked;

    assert.equal(await svc.healthStatus(), 'NOT_SERVING');
    assert.equal(await svc.healthStatus('envoy.service.auth.v3.Authorization'), 'NOT_SERVING');

    held.release();
    await svc.service.auth.ready;

    assert.equal(await svc.healthStatus(), 'SERVING');
    assert.equal(await svc.healthStatus('envoy.service.auth.v3.Authorization'), 'SERVING');
  });

  it('goes NOT_SERVING as soon as close() begins', async (t) => {
    const svc = await startHarness(t, { key });
    const watch = svc.health.watch({ service: '' });
    const statuses: string[] = [];
    const seen = (wanted: string) =>
      new Promise<void>((resolve) => {
        const onData = (message: HealthCheckResponse) => {
          statuses.push(message.status);
          if (message.status !== wanted) return;
          watch.off('data', onData);
          resolve();
        };
        watch.on('data', onData);
      });
    watch.on('error', () => undefined);

    await seen('SERVING');
    const notServing = seen('NOT_SERVING');
    const closing = svc.service.close(2000);
    await notServing;
    watch.cancel();
    await closing;

    assert.deepEqual(statuses, ['SERVING', 'NOT_SERVING']);
    assert.equal(svc.service.isReady(), false);
  });
});

describe('gRPC server built directly', () => {
  it('denies with ERR_INTERNAL, never allows, when the decision core itself throws', async (t) => {
    const authorizer = {
      check: () => Promise.reject(new Error('boom')),
    } as unknown as Authorizer;
    const grpc = createGrpcServer({
      authorizer,
      realm: 'authfort',
      identityHeaders: DEFAULT_IDENTITY_HEADERS,
      tokenSources: DEFAULT_TOKEN_SOURCES,
    });
    const port = await bindGrpcServer(grpc.server, '127.0.0.1', 0, serverCredentials(undefined));
    t.after(() => grpc.server.forceShutdown());
    const client = new OfficialAuthorizationClient(
      `127.0.0.1:${port}`,
      credentials.createInsecure(),
    );
    t.after(() => client.close());

    const response = assertDenied(
      await callCheck(client, checkRequest(bearer('x.y.z'))),
      13,
      500,
      'ERR_INTERNAL',
    );
    assert.equal(headerOf(response.denied_response?.headers, 'www-authenticate'), undefined);
  });

  it('binds an IPv6 literal host', async (t) => {
    const grpc = createGrpcServer({
      authorizer: {} as Authorizer,
      realm: 'authfort',
      identityHeaders: DEFAULT_IDENTITY_HEADERS,
      tokenSources: DEFAULT_TOKEN_SOURCES,
    });
    t.after(() => grpc.server.forceShutdown());
    let port: number;
    try {
      port = await bindGrpcServer(grpc.server, '::1', 0, serverCredentials(undefined));
    } catch {
      t.skip('no IPv6 loopback here');
      return;
    }
    assert.ok(port > 0);
  });

  it('cuts a call still open when the grace period ends', async (t) => {
    const svc = await startHarness(t, { key });
    const watch = svc.health.watch({ service: '' });
    watch.on('data', () => undefined);
    const ended = once(watch, 'error').catch(() => undefined);
    await svc.service.close(0);
    await ended;
  });
});
