import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { loadConfig } from '../../src/config/index.js';
import { assertConfigError, BASE_ENV, PEM_CERT, PEM_KEY, tempDir } from './helpers.js';

const { dir, write } = tempDir();

const fromFile = (yaml: string, env: Record<string, string> = {}) =>
  loadConfig({ env, configPath: write('authfort.yaml', yaml) });

describe('the YAML configuration file', () => {
  it('reads the camelCase settings and the file-only sections', () => {
    const config = fromFile(`
jwksUrl: https://auth.example.com/.well-known/jwks.json
issuer: https://auth.example.com
audience: [orders, billing]
algorithms: RS256, ES256
clockSkewSeconds: 5
requiredClaims: []
rolesClaim: realm_access.roles
introspection:
  url: https://auth.example.com/introspect
  secret: s3cr3t-value
  timeoutMs: 250
grpcAddr: "[::1]:0"
logLevel: warn
headers:
  sub: X-User-Id
  realm_access.roles: x-user-roles
tokenSources:
  - header: authorization
    scheme: Bearer
  - cookie: session
routes:
  - path: /admin/**
    methods: [get, POST]
    roles: [admin]
    introspect: true
routeMatching:
  caseSensitive: false
`);

    assert.equal(config.configFile, join(dir, 'authfort.yaml'));
    assert.equal(config.verifier.issuer, 'https://auth.example.com');
    assert.deepEqual(config.verifier.audience, ['orders', 'billing']);
    assert.deepEqual(config.verifier.algorithms, ['RS256', 'ES256']);
    assert.equal(config.verifier.clockSkewSeconds, 5);
    assert.deepEqual(config.verifier.requiredClaims, []);
    assert.equal(config.introspection?.timeoutMs, 250);
    assert.deepEqual(config.grpc, { host: '::1', port: 0 });
    assert.equal(config.logLevel, 'warn');
    assert.deepEqual(config.identityHeaders, [
      { claim: 'sub', header: 'x-user-id' },
      { claim: 'realm_access.roles', header: 'x-user-roles' },
    ]);
    assert.deepEqual(config.tokenSources, [
      { kind: 'header', header: 'authorization', scheme: 'Bearer' },
      { kind: 'cookie', cookie: 'session' },
    ]);
    assert.deepEqual(config.routes, [
      { path: '/admin/**', methods: ['GET', 'POST'], roles: ['admin'], introspect: true },
    ]);
    assert.deepEqual(config.routeMatching, { caseSensitive: false });
  });

  it('accepts an audience written as one string', () => {
    const config = fromFile('jwksUrl: https://a.example/jwks\naudience: orders\n');
    assert.deepEqual(config.verifier.audience, ['orders']);
  });

  it('treats an empty key as unset', () => {
    const config = fromFile('jwksUrl: https://a.example/jwks\nissuer:\nroutes:\n');
    assert.equal(config.verifier.issuer, 'authfort');
    assert.deepEqual(config.routes, []);
  });

  it('accepts an empty file when the environment has the rest', () => {
    assert.equal(fromFile('', BASE_ENV).configFile, join(dir, 'authfort.yaml'));
  });

  it('refuses an unknown top-level key and suggests the right one', () => {
    assertConfigError(() => fromFile('jwks_url: https://a.example/jwks\n'), 'jwks_url');
    assert.throws(() => fromFile('jwks_url: https://a.example/jwks\n'), /did you mean jwksUrl/);
  });

  it('refuses an unknown nested key', () => {
    const yaml = 'jwksUrl: https://a.example/jwks\nintrospection:\n  endpoint: https://x\n';
    assertConfigError(() => fromFile(yaml), 'introspection.endpoint');
    assertConfigError(() => fromFile(`${BASE_YAML}tls:\n  ca: /x\n`), 'tls.ca');
    assertConfigError(
      () => fromFile(`${BASE_YAML}routeMatching:\n  ignoreCase: true\n`),
      'routeMatching.ignoreCase',
    );
  });

  it('refuses a section that is not a mapping', () => {
    assertConfigError(() => fromFile(`${BASE_YAML}introspection: yes\n`), 'introspection');
  });

  it('refuses values of the wrong type, naming the YAML key', () => {
    assertConfigError(() => fromFile(`${BASE_YAML}clockSkewSeconds: "30"\n`), 'clockSkewSeconds');
    assertConfigError(() => fromFile(`${BASE_YAML}clockSkewSeconds: 2.5\n`), 'clockSkewSeconds');
    assertConfigError(() => fromFile(`${BASE_YAML}algorithms: [RS256, 7]\n`), 'algorithms[1]');
    assertConfigError(() => fromFile(`${BASE_YAML}issuer: [a]\n`), 'issuer');
    assertConfigError(
      () => fromFile(`${BASE_YAML}introspection:\n  timeoutMs: fast\n`),
      'introspection.timeoutMs',
    );
  });

  it('refuses a file that is not YAML, naming where', () => {
    assertConfigError(() => fromFile('jwksUrl: [unclosed\n'), '--config');
    assertConfigError(() => fromFile('a: 1\na: 2\n'), '--config');
    assertConfigError(() => fromFile('- just\n- a list\n'), '--config');
  });

  it('refuses a file that cannot be read, under the key that named it', () => {
    const missing = join(dir, 'missing.yaml');
    assertConfigError(() => loadConfig({ env: {}, configPath: missing }), '--config');
    assertConfigError(() => loadConfig({ env: { AUTHFORT_CONFIG: missing } }), 'AUTHFORT_CONFIG');
  });

  it('prefers --config over AUTHFORT_CONFIG', () => {
    const chosen = write('chosen.yaml', 'jwksUrl: https://chosen.example/jwks\n');
    const ignored = write('ignored.yaml', 'jwksUrl: https://ignored.example/jwks\n');
    const config = loadConfig({ env: { AUTHFORT_CONFIG: ignored }, configPath: chosen });
    assert.equal(config.verifier.jwksUrl, 'https://chosen.example/jwks');
  });

  it('reads AUTHFORT_CONFIG when there is no --config', () => {
    const path = write('env.yaml', 'jwksUrl: https://env.example/jwks\n');
    assert.equal(loadConfig({ env: { AUTHFORT_CONFIG: path } }).configFile, path);
  });

  it('resolves relative TLS paths against the file directory', () => {
    write('server.crt', PEM_CERT);
    write('server.key', PEM_KEY);
    const config = fromFile(`${BASE_YAML}tls:\n  cert: server.crt\n  key: ./server.key\n`);
    assert.deepEqual(config.grpc.tls, {
      certPath: join(dir, 'server.crt'),
      keyPath: join(dir, 'server.key'),
    });
  });
});

const BASE_YAML = 'jwksUrl: https://a.example/jwks\n';
