import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadConfig } from '../../src/config/index.js';
import { assertConfigError, BASE_ENV, tempDir } from './helpers.js';

const { write } = tempDir();
const fromFile = (yaml: string, env: Record<string, string> = {}) =>
  loadConfig({ env, configPath: write('a.yaml', `jwksUrl: https://a.example/j\n${yaml}`) });

describe('identity headers', () => {
  it('replaces the default mapping as a whole, lower-casing names', () => {
    const config = fromFile('headers:\n  sub: X-Auth-Subject\n  tenant.id: x-tenant\n');
    assert.deepEqual(config.identityHeaders, [
      { claim: 'sub', header: 'x-auth-subject' },
      { claim: 'tenant.id', header: 'x-tenant' },
    ]);
  });

  it('allows an empty mapping: no identity headers', () => {
    assert.deepEqual(fromFile('headers: {}\n').identityHeaders, []);
  });

  const refused = [
    'authorization',
    'Cookie',
    'host',
    'content-length',
    'transfer-encoding',
    'connection',
    'te',
    'x-envoy-original-path',
    'x-forwarded-for',
  ];
  for (const header of refused) {
    it(`refuses to write identity into ${header}`, () => {
      assertConfigError(() => fromFile(`headers:\n  sub: ${header}\n`), 'headers.sub');
    });
  }

  it('refuses pseudo-headers and names with non-token characters', () => {
    assertConfigError(() => fromFile('headers:\n  sub: ":path"\n'), 'headers.sub');
    assertConfigError(() => fromFile('headers:\n  sub: "x user"\n'), 'headers.sub');
    assertConfigError(() => fromFile('headers:\n  sub: "x-user@id"\n'), 'headers.sub');
  });

  it('refuses a value that is not a header name', () => {
    assertConfigError(() => fromFile('headers:\n  sub: [x-user]\n'), 'headers.sub');
    assertConfigError(() => fromFile('headers:\n  sub:\n'), 'headers.sub');
  });

  it('refuses a bad claim path, keyed in brackets when it has dots', () => {
    assertConfigError(() => fromFile('headers:\n  "a..b": x-a\n'), 'headers["a..b"]');
  });

  it('refuses two claims written into one header', () => {
    assertConfigError(
      () => fromFile('headers:\n  sub: x-user\n  email: X-User\n'),
      'headers.email',
    );
  });

  it('refuses an identity header that is also a token source', () => {
    assertConfigError(
      () => fromFile('headers:\n  sub: x-api-token\n', { AUTHFORT_TOKEN_HEADER: 'x-api-token' }),
      'headers',
    );
    assertConfigError(
      () => loadConfig({ env: { ...BASE_ENV, AUTHFORT_TOKEN_HEADER: 'x-user-id' } }),
      'AUTHFORT_TOKEN_HEADER',
    );
  });
});

describe('token sources', () => {
  it('reads headers with and without a scheme, and cookies', () => {
    const config = fromFile(
      'tokenSources:\n  - header: X-Api-Token\n  - header: authorization\n    scheme: Token\n' +
        '  - cookie: __Host-session\n',
    );
    assert.deepEqual(config.tokenSources, [
      { kind: 'header', header: 'x-api-token' },
      { kind: 'header', header: 'authorization', scheme: 'Token' },
      { kind: 'cookie', cookie: '__Host-session' },
    ]);
  });

  const bad: [string, string][] = [
    ['tokenSources: []\n', 'tokenSources'],
    ['tokenSources: authorization\n', 'tokenSources'],
    ['tokenSources:\n  - {}\n', 'tokenSources[0]'],
    ['tokenSources:\n  - header: a\n    cookie: b\n', 'tokenSources[0]'],
    ['tokenSources:\n  - cookie: s\n    scheme: Bearer\n', 'tokenSources[0].scheme'],
    ['tokenSources:\n  - header: cookie\n', 'tokenSources[0].header'],
    ['tokenSources:\n  - header: upgrade\n', 'tokenSources[0].header'],
    ['tokenSources:\n  - header: x-t\n    scheme: "Bea rer"\n', 'tokenSources[0].scheme'],
    ['tokenSources:\n  - cookie: "a;b"\n', 'tokenSources[0].cookie'],
    ['tokenSources:\n  - header: x-t\n    prefix: B\n', 'tokenSources[0].prefix'],
    ['tokenSources:\n  - cookie: s\n  - cookie: s\n', 'tokenSources[1]'],
  ];
  for (const [yaml, key] of bad) {
    it(`refuses ${JSON.stringify(yaml.slice(14).trim())}`, () => {
      assertConfigError(() => fromFile(yaml), key);
    });
  }

  it('refuses authorization as the extra raw-token header', () => {
    assertConfigError(
      () => loadConfig({ env: { ...BASE_ENV, AUTHFORT_TOKEN_HEADER: 'Authorization' } }),
      'AUTHFORT_TOKEN_HEADER',
    );
  });
});
