/**
 * The gRPC adapter without a server: a CheckRequest (decoded from Envoy's official wire bytes)
 * into the core's input, and a decision into a CheckResponse that Envoy's official protos read
 * back intact.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { allow, deny } from '../../src/decision/decision.js';
import { DEFAULT_IDENTITY_HEADERS } from '../../src/decision/identity.js';
import { DEFAULT_TOKEN_SOURCES } from '../../src/decision/token-source.js';
import { AuthFortError, ERRORS, type ErrorCode } from '../../src/errors.js';
import {
  readCheckRequest,
  toCheckResponse,
  type CheckAdapterOptions,
} from '../../src/grpc/check.js';
import { HeaderAppendAction, type CheckRequestInit } from '../../src/grpc/proto.js';
import type { VerifiedUser } from '../../src/jwt/claims.js';
import { routePolicy } from '../../src/policy/index.js';
import {
  decodeCheckRequest,
  decodeCheckResponse,
  encodeCheckRequest,
  encodeCheckResponse,
} from '../support/envoy-protos.js';
import { checkRequest, headerOf } from '../support/service-harness.js';

const OPTIONS: CheckAdapterOptions = {
  tokenSources: DEFAULT_TOKEN_SOURCES,
  identityHeaders: DEFAULT_IDENTITY_HEADERS,
  realm: 'authfort',
};

/** The request as the server sees it after Envoy encoded it with the official protos. */
function overTheWire(request: CheckRequestInit) {
  return readCheckRequest(decodeCheckRequest(encodeCheckRequest(request)), OPTIONS);
}

const user: VerifiedUser = {
  sub: 'user-1',
  email: 'ada@example.com',
  roles: ['admin', 'user'],
  sessionId: 'session-1',
  issuer: 'authfort',
  expiresAt: 0,
  claims: { sub: 'user-1', email: 'ada@example.com' },
};

describe('readCheckRequest', () => {
  it('reads the token, the method, the path and the context_extensions policy', () => {
    const read = overTheWire(
      checkRequest(
        { authorization: 'Bearer tok' },
        { method: 'post', path: '/orders/1?x=y', contextExtensions: { required_roles: 'a,b' } },
      ),
    );

    assert.equal(read.token, 'tok');
    assert.deepEqual(read.targets, [{ method: 'POST', path: '/orders/1?x=y' }]);
    assert.deepEqual(read.policy, routePolicy(['a', 'b']));
    assert.equal(read.inputError, undefined);
  });

  it('reads header_map raw_value lines', () => {
    const read = overTheWire(checkRequest([['Authorization', 'Bearer tok']], { raw: true }));
    assert.equal(read.token, 'tok');
  });

  it('joins repeated Authorization lines, as Envoy does, so neither copy passes alone', () => {
    const read = overTheWire(
      checkRequest(
        [
          ['authorization', 'Bearer a'],
          ['authorization', 'Bearer b'],
        ],
        { raw: true },
      ),
    );
    // The verifier then refuses the joined value as malformed (see server.test.ts).
    assert.equal(read.token, 'a,Bearer b');
  });

  it('joins repeated Cookie lines with `; ` so a cookie in a later line is found', () => {
    // RFC 9113 section 8.2.3: an HTTP/2 client may send each cookie in its own field.
    const read = readCheckRequest(
      decodeCheckRequest(
        encodeCheckRequest(
          checkRequest(
            [
              ['cookie', 'theme=dark'],
              ['cookie', 'session=tok'],
            ],
            { raw: true },
          ),
        ),
      ),
      { ...OPTIONS, tokenSources: [{ kind: 'cookie', cookie: 'session' }] },
    );
    assert.equal(read.token, 'tok');
  });

  it('turns junk context_extensions into ERR_CONFIG_INVALID naming the key', () => {
    const read = overTheWire(checkRequest({}, { contextExtensions: { introspect: 'yes' } }));
    assert.equal(read.inputError?.code, 'ERR_CONFIG_INVALID');
    assert.equal(read.inputError?.key, 'context_extensions.introspect');
  });

  it('reads an empty CheckRequest as a request without a token', () => {
    const read = overTheWire({});
    assert.equal(read.token, undefined);
    assert.equal(read.inputError, undefined);
    assert.deepEqual(read.targets, [{ method: '', path: '' }]);
  });
});

describe('toCheckResponse', () => {
  it('answers an allow with OK, overwritten identity headers and metadata', () => {
    const response = decodeCheckResponse(
      encodeCheckResponse(toCheckResponse(allow(user), OPTIONS) ?? {}),
    );

    assert.equal(response.status?.code, 0);
    assert.equal(response.http_response, 'ok_response');
    const ok = response.ok_response;
    assert.ok(ok);
    assert.equal(headerOf(ok.headers, 'x-user-id'), 'user-1');
    assert.equal(headerOf(ok.headers, 'x-user-roles'), 'admin,user');
    for (const option of ok.headers) {
      assert.equal(option.append_action, HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD);
      assert.equal(option.append, null);
    }
    const fields = response.dynamic_metadata?.fields;
    assert.equal(fields?.['sub']?.stringValue, 'user-1');
    assert.deepEqual(
      fields?.['roles']?.listValue?.values.map((value) => value.stringValue),
      ['admin', 'user'],
    );
    assert.equal(fields?.['sid']?.stringValue, 'session-1');
  });

  it('encodes an empty roles list as an empty list, not as a missing field', () => {
    const response = decodeCheckResponse(
      encodeCheckResponse(toCheckResponse(allow({ ...user, roles: [] }), OPTIONS) ?? {}),
    );
    assert.deepEqual(response.dynamic_metadata?.fields['roles']?.listValue?.values, []);
    assert.deepEqual(response.ok_response?.headers_to_remove, ['x-user-roles']);
  });

  it('answers every client-side denial with the table’s codes and challenge', () => {
    for (const code of Object.keys(ERRORS) as ErrorCode[]) {
      const spec = ERRORS[code];
      const init = toCheckResponse(deny(new AuthFortError(code)), OPTIONS);
      if (spec.status === 503) {
        assert.equal(init, undefined, `${code} fails the RPC instead`);
        continue;
      }
      const response = decodeCheckResponse(encodeCheckResponse(init ?? {}));
      assert.equal(response.status?.code, spec.grpc, code);
      assert.equal(response.denied_response?.status?.code, spec.status, code);
      assert.deepEqual(JSON.parse(response.denied_response?.body ?? ''), { error: code });
      const challenge = headerOf(response.denied_response?.headers, 'www-authenticate');
      assert.equal(challenge === undefined, spec.challenge === 'none', code);
    }
  });

  it('uses the configured realm', () => {
    const init = toCheckResponse(deny(new AuthFortError('ERR_TOKEN_MISSING')), {
      ...OPTIONS,
      realm: 'orders-api',
    });
    const response = decodeCheckResponse(encodeCheckResponse(init ?? {}));
    assert.equal(
      headerOf(response.denied_response?.headers, 'www-authenticate'),
      'Bearer realm="orders-api"',
    );
  });
});
