/**
 * The HTTP forward-auth endpoint as NGINX `auth_request`, Traefik ForwardAuth, Caddy
 * `forward_auth` and Envoy's HTTP-mode ext_authz call it, against a running service and a real
 * key set server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { serveIntrospection } from '../support/introspection-server.js';
import { JwksServer } from '../support/jwks-server.js';
import { authFortClaims, generateSigningKey, nowSeconds, signToken } from '../support/keys.js';
import {
  INTROSPECTION_SECRET,
  introspectionEnv,
  parseChallenge,
  startHarness,
  type HttpAnswer,
} from '../support/service-harness.js';

const key = await generateSigningKey();

const IDENTITY = ['x-user-id', 'x-user-email', 'x-user-roles'];

const ROUTES = [
  'routes:',
  '  - path: /public/**',
  '  - path: /admin/**',
  '    roles: [admin]',
  '  - path: /orders/*',
  '    methods: [DELETE]',
  '    roles: [billing]',
  '',
].join('\n');

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

function assertAllowed(answer: HttpAnswer): void {
  assert.equal(answer.status, 200, `expected 200, got ${answer.status} ${answer.body}`);
  assert.equal(answer.headers['www-authenticate'], undefined);
}

/** Asserts a denial: status, JSON body with the code, no identity header. */
function assertDenied(answer: HttpAnswer, status: number, code: string): void {
  assert.equal(answer.status, status, `expected ${status}, got ${answer.status} ${answer.body}`);
  assert.match(answer.headers['content-type'] ?? '', /^application\/json/);
  assert.deepEqual(JSON.parse(answer.body), { error: code });
  for (const name of IDENTITY) assert.equal(answer.headers[name], undefined);
}

function challengeOf(answer: HttpAnswer) {
  const value = answer.headers['www-authenticate'];
  assert.equal(typeof value, 'string', 'a WWW-Authenticate header');
  return parseChallenge(value as string);
}

describe('GET /auth', () => {
  it('allows a valid token with the identity as response headers', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key, { claims: authFortClaims({ roles: ['user', 'editor'] }) });

    const answer = await svc.get('/auth', bearer(token));

    assertAllowed(answer);
    assert.equal(answer.headers['x-user-id'], 'user-1');
    assert.equal(answer.headers['x-user-email'], 'ada@example.com');
    assert.equal(answer.headers['x-user-roles'], 'user,editor');
    assert.equal(answer.headers['cache-control'], 'no-store');
    assert.equal(answer.body, '');
  });

  it('leaves out an identity header whose claim the token lacks', async (t) => {
    const svc = await startHarness(t, {
      key,
      env: { AUTHFORT_REQUIRED_CLAIMS: 'sub,roles,iat,exp,iss' },
    });
    const token = await signToken(key, { claims: authFortClaims({ email: undefined }) });

    const answer = await svc.get('/auth', { ...bearer(token), 'x-user-email': 'evil@x' });

    assertAllowed(answer);
    assert.equal(answer.headers['x-user-email'], undefined);
  });

  it('never puts a claim holding CR/LF or non-ASCII into a response header', async (t) => {
    const svc = await startHarness(t, { key });
    const email = 'ada@example.com\r\nx-user-roles: admin';
    const claims = authFortClaims({ email, sub: 'usér' });
    const token = await signToken(key, { claims });

    const answer = await svc.get('/auth', bearer(token));

    assertAllowed(answer);
    assert.equal(answer.headers['x-user-email'], undefined);
    assert.equal(answer.headers['x-user-id'], undefined);
    assert.equal(answer.headers['x-user-roles'], 'user');
  });

  it('answers no token 401 with a bare realm challenge and a JSON body', async (t) => {
    const svc = await startHarness(t, { key });

    const answer = await svc.get('/auth');

    assertDenied(answer, 401, 'ERR_TOKEN_MISSING');
    assert.equal(answer.headers['www-authenticate'], 'Bearer realm="authfort"');
  });

  it('answers a refused token 401 invalid_token', async (t) => {
    const svc = await startHarness(t, { key });
    const expired = await signToken(key, { claims: authFortClaims({}, nowSeconds() - 3600) });

    const answer = await svc.get('/auth', bearer(expired));

    assertDenied(answer, 401, 'ERR_TOKEN_EXPIRED');
    const challenge = challengeOf(answer);
    assert.equal(challenge.scheme, 'Bearer');
    assert.equal(challenge.params['realm'], 'authfort');
    assert.equal(challenge.params['error'], 'invalid_token');
  });

  it('takes roles from its own query string: 403 insufficient_scope, any-of', async (t) => {
    const svc = await startHarness(t, { key });
    const user = await signToken(key, { claims: authFortClaims({ roles: ['user'] }) });
    const owner = await signToken(key, { claims: authFortClaims({ roles: ['owner'] }) });

    const denied = await svc.get('/auth?roles=admin,owner', bearer(user));
    assertDenied(denied, 403, 'ERR_ROLE_MISSING');
    assert.equal(challengeOf(denied).params['error'], 'insufficient_scope');

    assertAllowed(await svc.get('/auth?roles=admin,owner', bearer(owner)));
    assertAllowed(await svc.get('/auth?roles=admin&roles=owner', bearer(owner)));
  });

  it('answers introspect=true 503 without a challenge when no endpoint is set up', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key);

    const answer = await svc.get('/auth?roles=user&introspect=true', bearer(token));

    assertDenied(answer, 503, 'ERR_INTROSPECTION_NOT_CONFIGURED');
    assert.equal(answer.headers['www-authenticate'], undefined);
  });

  it('introspects on /auth?roles=admin&introspect=true', async (t) => {
    const introspection = await serveIntrospection(t, { secret: INTROSPECTION_SECRET });
    const svc = await startHarness(t, {
      key,
      env: introspectionEnv(introspection),
    });
    const claims = (sub: string) => authFortClaims({ sub, roles: ['admin'] });
    const active = await signToken(key, { claims: claims('active') });
    const inactive = await signToken(key, { claims: claims('banned') });
    introspection.setActive(active, { sub: 'active', roles: ['admin'] }).setInactive(inactive);

    assertAllowed(await svc.get('/auth?roles=admin&introspect=true', bearer(active)));
    const refused = await svc.get('/auth?roles=admin&introspect=true', bearer(inactive));
    assertDenied(refused, 401, 'ERR_TOKEN_INACTIVE');
    assert.equal(challengeOf(refused).params['error'], 'invalid_token');
    assert.equal(introspection.requestCount, 2);
  });

  it('denies 500 ERR_CONFIG_INVALID, never allows, on a junk policy query', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key);

    for (const query of [
      '?introspect=yes',
      '?role=admin',
      '?roles=',
      '?introspect=true&introspect=false',
    ]) {
      const answer = await svc.get(`/auth${query}`, bearer(token));
      assertDenied(answer, 500, 'ERR_CONFIG_INVALID');
      assert.equal(answer.headers['www-authenticate'], undefined);
    }
  });

  it('answers HEAD like GET, without a body', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key);

    const allowed = await svc.get('/auth', bearer(token), 'HEAD');
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers['x-user-id'], 'user-1');

    const denied = await svc.get('/auth', {}, 'HEAD');
    assert.equal(denied.status, 401);
    assert.equal(denied.headers['www-authenticate'], 'Bearer realm="authfort"');
    assert.equal(denied.body, '');
  });

  it('answers 503 without a challenge while no key set could ever be loaded', async (t) => {
    const issuer = await JwksServer.start({ keys: [key.publicJwk] });
    t.after(() => issuer.close());
    issuer.respond(issuer.jwksPath, { status: 500 });
    const svc = await startHarness(t, { key, issuer, waitReady: false });
    const token = await signToken(key);

    const answer = await svc.get('/auth', bearer(token));

    assertDenied(answer, 503, 'ERR_JWKS_UNAVAILABLE');
    assert.equal(answer.headers['www-authenticate'], undefined);
  });
});

describe('GET /auth: junk Authorization headers', () => {
  it('refuses a repeated Authorization header rather than pick one', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key);

    const answer = await svc.get('/auth', {
      authorization: [`Bearer ${token}`, `Bearer ${token}`],
    });

    assertDenied(answer, 401, 'ERR_TOKEN_MALFORMED');
  });

  it('answers sensible codes for junk and never allows', async (t) => {
    const svc = await startHarness(t, { key });
    const token = await signToken(key);

    const cases: readonly [string, number, string][] = [
      ['Bearer', 401, 'ERR_TOKEN_MALFORMED'],
      ['Bearer    ', 401, 'ERR_TOKEN_MALFORMED'],
      ['Basic YWxhZGRpbjpvcGVuc2VzYW1l', 401, 'ERR_TOKEN_MISSING'],
      [`Bearer ${token}, Bearer ${token}`, 401, 'ERR_TOKEN_MALFORMED'],
      ['Bearer t\u00e9k\u00e9n', 401, 'ERR_TOKEN_MALFORMED'],
    ];
    for (const [authorization, status, code] of cases) {
      assertDenied(await svc.get('/auth', { authorization }), status, code);
    }
    assertAllowed(await svc.get('/auth', { authorization: `bearer ${token}` }));
  });

  it('never allows a 100 KB header (Node refuses it before the handler)', async (t) => {
    const svc = await startHarness(t, { key });

    const answer = await svc.get('/auth', { authorization: `Bearer ${'a'.repeat(100 * 1024)}` });

    assert.ok(answer.status >= 400, `got ${answer.status}`);
    for (const name of IDENTITY) assert.equal(answer.headers[name], undefined);
  });
});

describe('GET /auth: the original request, matched against YAML rules', () => {
  it('matches X-Original-URI and X-Original-Method (NGINX)', async (t) => {
    const svc = await startHarness(t, { key, yaml: ROUTES });
    const user = await signToken(key);
    const admin = await signToken(key, { claims: authFortClaims({ roles: ['admin'] }) });

    const nginx = (uri: string, method = 'GET') => ({
      'x-original-uri': uri,
      'x-original-method': method,
    });
    assertDenied(
      await svc.get('/auth', { ...bearer(user), ...nginx('/admin/x?y=1') }),
      403,
      'ERR_ROLE_MISSING',
    );
    assertAllowed(await svc.get('/auth', { ...bearer(admin), ...nginx('/admin/x') }));
    assertAllowed(await svc.get('/auth', { ...bearer(user), ...nginx('/orders/1') }));
    assertDenied(
      await svc.get('/auth', { ...bearer(user), ...nginx('/orders/1', 'delete') }),
      403,
      'ERR_ROLE_MISSING',
    );
  });

  it('matches X-Forwarded-Uri and X-Forwarded-Method (Traefik, Caddy)', async (t) => {
    const svc = await startHarness(t, { key, yaml: ROUTES });
    const user = await signToken(key);

    const forwarded = (uri: string, method: string) => ({
      'x-forwarded-uri': uri,
      'x-forwarded-method': method,
    });
    assertDenied(
      await svc.get('/auth', { ...bearer(user), ...forwarded('/admin/x', 'GET') }),
      403,
      'ERR_ROLE_MISSING',
    );
    assertDenied(
      await svc.get('/auth', { ...bearer(user), ...forwarded('/orders/9', 'DELETE') }),
      403,
      'ERR_ROLE_MISSING',
    );
    assertAllowed(await svc.get('/auth', { ...bearer(user), ...forwarded('/orders/9', 'GET') }));
  });

  it('applies the strictest policy when a client adds a target header of its own', async (t) => {
    const svc = await startHarness(t, { key, yaml: ROUTES });
    const user = await signToken(key);

    // Traefik sets X-Forwarded-Uri; the client adds X-Original-URI hoping to be read as /public.
    const answer = await svc.get('/auth', {
      ...bearer(user),
      'x-original-uri': '/public/page',
      'x-original-method': 'GET',
      'x-forwarded-uri': '/admin/x',
      'x-forwarded-method': 'GET',
    });
    assertDenied(answer, 403, 'ERR_ROLE_MISSING');

    // And the other way round: NGINX sets X-Original-*, the client adds X-Forwarded-*.
    const other = await svc.get('/auth', {
      ...bearer(user),
      'x-original-uri': '/orders/3',
      'x-original-method': 'DELETE',
      'x-forwarded-uri': '/orders/3',
      'x-forwarded-method': 'GET',
    });
    assertDenied(other, 403, 'ERR_ROLE_MISSING');
  });

  it('denies a repeated X-Original-URI', async (t) => {
    const svc = await startHarness(t, { key, yaml: ROUTES });
    const admin = await signToken(key, { claims: authFortClaims({ roles: ['admin'] }) });

    const answer = await svc.get('/auth', {
      ...bearer(admin),
      'x-original-uri': ['/public/x', '/admin/x'],
    });

    assert.notEqual(answer.status, 200);
    assertDenied(answer, 401, 'ERR_TOKEN_MALFORMED');
  });

  it('cannot be dodged with dot segments or escaped slashes in the target', async (t) => {
    const svc = await startHarness(t, { key, yaml: ROUTES });
    const user = await signToken(key);

    for (const uri of ['/public/../admin/x', '//admin/x', '/public/..%2Fadmin', '/%61dmin/x']) {
      assertDenied(
        await svc.get('/auth', { ...bearer(user), 'x-original-uri': uri }),
        403,
        'ERR_ROLE_MISSING',
      );
    }
  });

  it('combines a YAML rule with the query policy, strictest wins', async (t) => {
    const svc = await startHarness(t, { key, yaml: ROUTES });
    const admin = await signToken(key, { claims: authFortClaims({ roles: ['admin'] }) });
    const both = await signToken(key, { claims: authFortClaims({ roles: ['admin', 'owner'] }) });
    const target = { 'x-original-uri': '/admin/x' };

    assertDenied(
      await svc.get('/auth?roles=owner', { ...bearer(admin), ...target }),
      403,
      'ERR_ROLE_MISSING',
    );
    assertAllowed(await svc.get('/auth?roles=owner', { ...bearer(both), ...target }));
  });
});

describe('/auth/<path>: Envoy ext_authz in HTTP mode', () => {
  it('never reads policy from the query string, which is the client’s', async (t) => {
    const svc = await startHarness(t, { key });
    const user = await signToken(key);

    // The client appended ?roles=... to its own URL: it must be ignored, neither stricter
    // (harmless) nor, above all, a source of policy at all.
    assertAllowed(await svc.get('/auth/orders/7?roles=admin', bearer(user)));
    assertAllowed(await svc.get('/auth/orders/7?introspect=true', bearer(user)));
    assertAllowed(await svc.get('/auth/orders/7?bogus=1', bearer(user)));
  });

  it('matches YAML rules on the original method and path', async (t) => {
    const svc = await startHarness(t, { key, yaml: ROUTES });
    const user = await signToken(key);
    const admin = await signToken(key, { claims: authFortClaims({ roles: ['admin'] }) });

    assertDenied(await svc.get('/auth/admin/users', bearer(user)), 403, 'ERR_ROLE_MISSING');
    assertAllowed(await svc.get('/auth/admin/users?x=1', bearer(admin)));
    assertDenied(await svc.get('/auth/orders/7', bearer(user), 'DELETE'), 403, 'ERR_ROLE_MISSING');
    assertAllowed(await svc.get('/auth/orders/7', bearer(user), 'POST'));
    assertAllowed(await svc.get('/auth/', bearer(user)));
  });

  it('ignores client target headers in HTTP mode (the path is the target)', async (t) => {
    const svc = await startHarness(t, { key, yaml: ROUTES });
    const user = await signToken(key);

    const answer = await svc.get('/auth/admin/x', {
      ...bearer(user),
      'x-original-uri': '/public/x',
    });
    assertDenied(answer, 403, 'ERR_ROLE_MISSING');
  });

  it('answers no token 401 with the challenge', async (t) => {
    const svc = await startHarness(t, { key });

    const answer = await svc.get('/auth/orders/7', {}, 'POST');

    assertDenied(answer, 401, 'ERR_TOKEN_MISSING');
    assert.equal(answer.headers['www-authenticate'], 'Bearer realm="authfort"');
  });
});

describe('/auth: token sources', () => {
  it('reads a token from a cookie named in the YAML file', async (t) => {
    const yaml =
      'tokenSources:\n  - header: authorization\n    scheme: Bearer\n  - cookie: session\n';
    const svc = await startHarness(t, { key, yaml });
    const token = await signToken(key);

    assertAllowed(await svc.get('/auth', { cookie: `theme=dark; session=${token}` }));
    assertDenied(await svc.get('/auth', { cookie: 'theme=dark' }), 401, 'ERR_TOKEN_MISSING');
  });

  it('reads a raw token from AUTHFORT_TOKEN_HEADER', async (t) => {
    const svc = await startHarness(t, { key, env: { AUTHFORT_TOKEN_HEADER: 'x-api-token' } });
    const token = await signToken(key);

    assertAllowed(await svc.get('/auth', { 'x-api-token': token }));
    assertAllowed(await svc.get('/auth', bearer(token)));
  });
});
