import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { OPEN_POLICY, policyFromQuery } from '../../src/policy/index.js';
import { assertPolicyError } from './helpers.js';

const query = (text: string) => policyFromQuery(new URLSearchParams(text));

describe('route policy from the /auth query string', () => {
  it('is open with no parameters', () => {
    assert.equal(query(''), OPEN_POLICY);
  });

  it('reads a comma list of roles as one any-of set', () => {
    assert.deepEqual(query('roles=admin,owner'), {
      roleSets: [['admin', 'owner']],
      introspect: false,
    });
  });

  it('joins repeated roles parameters into the same any-of set', () => {
    assert.deepEqual(query('roles=admin&roles=owner,auditor').roleSets, [
      ['admin', 'owner', 'auditor'],
    ]);
  });

  it('reads introspect', () => {
    assert.deepEqual(query('roles=admin&introspect=true'), {
      roleSets: [['admin']],
      introspect: true,
    });
    assert.equal(query('introspect=false'), OPEN_POLICY);
  });

  it('decodes percent-encoded values', () => {
    assert.deepEqual(query('roles=admin%2Cowner').roleSets, [['admin', 'owner']]);
  });

  for (const text of ['introspect=yes', 'introspect=', 'introspect=1']) {
    it(`refuses ${text}`, () => assertPolicyError(() => query(text), 'query.introspect'));
  }

  it('refuses introspect given twice, rather than picking one', () => {
    assertPolicyError(() => query('introspect=true&introspect=false'), 'query.introspect');
  });

  for (const text of ['roles=', 'roles=,', 'roles=&roles=']) {
    it(`refuses ${text} instead of allowing anyone`, () => {
      assertPolicyError(() => query(text), 'query.roles');
    });
  }

  it('refuses unknown parameters such as a misspelt role', () => {
    assertPolicyError(() => query('role=admin'), 'query.role');
  });

  it('does not quote values in errors (they may come from a client)', () => {
    assert.throws(
      () => query('introspect=eyJhbGciOi'),
      (error: Error) => {
        assert.ok(!error.message.includes('eyJhbGciOi'));
        return true;
      },
    );
  });
});
