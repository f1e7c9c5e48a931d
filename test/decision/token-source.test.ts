/**
 * Finding the token in a request: the Authorization header by default, a custom header, a
 * cookie; junk and ambiguity refused rather than guessed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  extractToken,
  type HeaderReader,
  type TokenSource,
} from '../../src/decision/token-source.js';
import { isAuthFortError } from '../../src/errors.js';

function reader(headers: Record<string, string | readonly string[]>): HeaderReader {
  return (name) => headers[name];
}

function assertMalformed(run: () => unknown): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(isAuthFortError(error));
    assert.equal(error.code, 'ERR_TOKEN_MALFORMED');
    return true;
  });
}

describe('extractToken: Authorization: Bearer', () => {
  it('reads the token after the scheme', () => {
    assert.equal(extractToken(reader({ authorization: 'Bearer abc.def.ghi' })), 'abc.def.ghi');
  });

  it('compares the scheme case-insensitively (RFC 9110 section 11.1)', () => {
    for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
      assert.equal(extractToken(reader({ authorization: `${scheme} tok` })), 'tok');
    }
  });

  it('tolerates extra spaces around the token', () => {
    assert.equal(extractToken(reader({ authorization: '  Bearer    tok  ' })), 'tok');
  });

  it('finds no token without the header or with another scheme', () => {
    assert.equal(extractToken(reader({})), undefined);
    assert.equal(extractToken(reader({ authorization: '' })), undefined);
    assert.equal(extractToken(reader({ authorization: 'Basic YWxhZGRpbg==' })), undefined);
    assert.equal(extractToken(reader({ authorization: 'Bearertok' })), undefined);
  });

  it('refuses a scheme without a token', () => {
    assertMalformed(() => extractToken(reader({ authorization: 'Bearer' })));
    assertMalformed(() => extractToken(reader({ authorization: 'Bearer    ' })));
  });

  it('refuses a repeated header given as a list', () => {
    assertMalformed(() => extractToken(reader({ authorization: ['Bearer a', 'Bearer b'] })));
  });

  it('reads a header given as a list of one', () => {
    assert.equal(extractToken(reader({ authorization: ['Bearer a'] })), 'a');
  });
});

describe('extractToken: other sources', () => {
  const apiHeader: TokenSource = { kind: 'header', header: 'x-api-token' };
  const cookie: TokenSource = { kind: 'cookie', cookie: 'session' };

  it('reads a raw token from a header without a scheme', () => {
    assert.equal(extractToken(reader({ 'x-api-token': ' tok ' }), [apiHeader]), 'tok');
  });

  it('reads a custom scheme', () => {
    const sources: TokenSource[] = [{ kind: 'header', header: 'x-auth', scheme: 'Token' }];
    assert.equal(extractToken(reader({ 'x-auth': 'token abc' }), sources), 'abc');
    assert.equal(extractToken(reader({ 'x-auth': 'Bearer abc' }), sources), undefined);
  });

  it('reads a cookie by exact name, unquoting a quoted value', () => {
    assert.equal(
      extractToken(reader({ kind: 'cookie', cookie: 'a=1; session=tok; b=2' }), [cookie]),
      'tok',
    );
    assert.equal(
      extractToken(reader({ kind: 'cookie', cookie: 'session="tok"' }), [cookie]),
      'tok',
    );
    assert.equal(
      extractToken(reader({ kind: 'cookie', cookie: 'Session=tok; xsession=t' }), [cookie]),
      undefined,
    );
    assert.equal(extractToken(reader({ kind: 'cookie', cookie: 'session=' }), [cookie]), undefined);
    assert.equal(extractToken(reader({}), [cookie]), undefined);
  });

  it('reads a cookie from repeated Cookie headers', () => {
    assert.equal(extractToken(reader({ cookie: ['a=1', 'session=tok'] }), [cookie]), 'tok');
  });

  it('takes the first source, in order, that has a token', () => {
    const sources: TokenSource[] = [
      { kind: 'header', header: 'authorization', scheme: 'Bearer' },
      apiHeader,
      cookie,
    ];
    const headers = {
      authorization: 'Bearer first',
      'x-api-token': 'second',
      cookie: 'session=third',
    };

    assert.equal(extractToken(reader(headers), sources), 'first');
    assert.equal(extractToken(reader({ ...headers, authorization: 'Basic x' }), sources), 'second');
    assert.equal(
      extractToken(reader({ kind: 'cookie', cookie: 'session=third' }), sources),
      'third',
    );
  });
});
