/**
 * Decisions as values, and the one table that says how each reason goes on the wire: gRPC code,
 * HTTP status and the RFC 6750 `WWW-Authenticate` challenge (DESIGN.md's decision table).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  allow,
  challengeFor,
  deny,
  denialBody,
  isDependencyFailure,
} from '../../src/decision/decision.js';
import { AuthFortError, ERRORS, GrpcCode, type ErrorCode } from '../../src/errors.js';
import type { VerifiedUser } from '../../src/jwt/claims.js';
import { parseChallenge } from '../support/service-harness.js';

const CODES = Object.keys(ERRORS) as ErrorCode[];

// RFC 6750 section 3: error_description is %x20-21 / %x23-5B / %x5D-7E (no `"` and no `\`).
const DESCRIPTION_CHARS = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;

describe('the error table', () => {
  it('pairs 401 with UNAUTHENTICATED, 403 with PERMISSION_DENIED, 503 with UNAVAILABLE', () => {
    const expected: Record<number, number> = {
      401: GrpcCode.UNAUTHENTICATED,
      403: GrpcCode.PERMISSION_DENIED,
      500: GrpcCode.INTERNAL,
      503: GrpcCode.UNAVAILABLE,
    };
    for (const code of CODES) {
      const spec = ERRORS[code];
      assert.equal(spec.grpc, expected[spec.status], `${code}: ${spec.status} vs ${spec.grpc}`);
    }
  });

  it('gives a bare realm challenge to a missing token only', () => {
    const realmOnly = CODES.filter((code) => ERRORS[code].challenge === 'realm');
    assert.deepEqual(realmOnly, ['ERR_TOKEN_MISSING']);
    assert.equal(ERRORS.ERR_TOKEN_MISSING.status, 401);
  });

  it('gives every other 401 the invalid_token challenge', () => {
    for (const code of CODES) {
      if (ERRORS[code].status !== 401 || code === 'ERR_TOKEN_MISSING') continue;
      assert.equal(ERRORS[code].challenge, 'invalid_token', code);
    }
  });

  it('gives a missing role 403 with insufficient_scope, and only it', () => {
    const forbidden = CODES.filter((code) => ERRORS[code].status === 403);
    assert.deepEqual(forbidden, ['ERR_ROLE_MISSING']);
    assert.equal(ERRORS.ERR_ROLE_MISSING.challenge, 'insufficient_scope');
  });

  it('gives no challenge to a dependency failure or an internal error', () => {
    for (const code of CODES) {
      if (ERRORS[code].status < 500) continue;
      assert.equal(ERRORS[code].challenge, 'none', code);
      assert.equal(challengeFor(code, 'authfort'), undefined, code);
    }
  });

  it('answers each DESIGN.md reason with its row', () => {
    const rows: readonly [ErrorCode, number, number][] = [
      ['ERR_TOKEN_MISSING', 16, 401],
      ['ERR_TOKEN_MALFORMED', 16, 401],
      ['ERR_TOKEN_EXPIRED', 16, 401],
      ['ERR_TOKEN_SIGNATURE_INVALID', 16, 401],
      ['ERR_TOKEN_ISSUER_MISMATCH', 16, 401],
      ['ERR_TOKEN_AUDIENCE_MISMATCH', 16, 401],
      ['ERR_TOKEN_KEY_UNKNOWN', 16, 401],
      ['ERR_TOKEN_INACTIVE', 16, 401],
      ['ERR_ROLE_MISSING', 7, 403],
      ['ERR_JWKS_UNAVAILABLE', 14, 503],
      ['ERR_INTROSPECTION_UNAVAILABLE', 14, 503],
      ['ERR_INTROSPECTION_NOT_CONFIGURED', 14, 503],
    ];
    for (const [code, grpc, status] of rows) {
      assert.deepEqual([ERRORS[code].grpc, ERRORS[code].status], [grpc, status], code);
    }
  });

  it('has descriptions RFC 6750 allows in error_description', () => {
    for (const code of CODES) {
      assert.match(ERRORS[code].description, DESCRIPTION_CHARS, code);
    }
  });
});

describe('challengeFor', () => {
  it('is exactly `Bearer realm="..."` for a missing token (RFC 6750 section 3.1)', () => {
    assert.equal(challengeFor('ERR_TOKEN_MISSING', 'authfort'), 'Bearer realm="authfort"');
  });

  it('adds error and error_description for a refused token', () => {
    const value = challengeFor('ERR_TOKEN_EXPIRED', 'authfort');
    assert.ok(value);
    const { scheme, params } = parseChallenge(value);
    assert.equal(scheme, 'Bearer');
    assert.deepEqual(Object.keys(params), ['realm', 'error', 'error_description']);
    assert.equal(params['realm'], 'authfort');
    assert.equal(params['error'], 'invalid_token');
    assert.equal(params['error_description'], ERRORS.ERR_TOKEN_EXPIRED.description);
  });

  it('uses insufficient_scope for a missing role', () => {
    const value = challengeFor('ERR_ROLE_MISSING', 'api');
    assert.ok(value);
    assert.equal(parseChallenge(value).params['error'], 'insufficient_scope');
    assert.equal(parseChallenge(value).params['realm'], 'api');
  });

  it('escapes `"` and `\\` in the realm as RFC 9110 quoted-pairs', () => {
    const realm = 'a "quoted" \\ realm';
    const value = challengeFor('ERR_TOKEN_MISSING', realm);
    assert.equal(value, 'Bearer realm="a \\"quoted\\" \\\\ realm"');
    assert.equal(parseChallenge(value).params['realm'], realm);

    const invalid = challengeFor('ERR_TOKEN_MALFORMED', realm);
    assert.ok(invalid);
    assert.equal(parseChallenge(invalid).params['realm'], realm);
  });

  it('is a valid header value for every code', () => {
    for (const code of CODES) {
      const value = challengeFor(code, 'authfort');
      if (value === undefined) continue;
      assert.match(value, /^[\x20-\x7e]+$/, code);
      assert.doesNotThrow(() => parseChallenge(value), code);
    }
  });
});

describe('deny and allow', () => {
  const user: VerifiedUser = {
    sub: 'user-1',
    roles: [],
    issuer: 'authfort',
    expiresAt: 0,
    claims: {},
  };

  it('carries the code of the error it denies with', () => {
    const error = new AuthFortError('ERR_TOKEN_EXPIRED');
    const decision = deny(error);
    assert.equal(decision.allowed, false);
    assert.equal(decision.code, 'ERR_TOKEN_EXPIRED');
    assert.equal(decision.error, error);
  });

  it('carries the user it allows', () => {
    const decision = allow(user);
    assert.equal(decision.allowed, true);
    assert.equal(decision.user, user);
  });

  it('calls exactly the 503 denials dependency failures', () => {
    for (const code of CODES) {
      const expected = ERRORS[code].status === 503;
      assert.equal(isDependencyFailure(deny(new AuthFortError(code))), expected, code);
    }
  });

  it('writes a JSON body with the code alone', () => {
    for (const code of CODES) assert.deepEqual(JSON.parse(denialBody(code)), { error: code });
  });
});
