import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { OPEN_POLICY, policyFromContextExtensions } from '../../src/policy/index.js';
import { assertPolicyError } from './helpers.js';

describe('route policy from Envoy context_extensions', () => {
  it('is open when the route sets none', () => {
    assert.equal(policyFromContextExtensions({}), OPEN_POLICY);
  });

  it('reads required_roles as one any-of set', () => {
    const policy = policyFromContextExtensions({ required_roles: 'admin, owner,,admin' });
    assert.deepEqual(policy, { roleSets: [['admin', 'owner']], introspect: false });
  });

  it('reads introspect', () => {
    assert.deepEqual(policyFromContextExtensions({ introspect: 'true' }), {
      roleSets: [],
      introspect: true,
    });
    assert.deepEqual(policyFromContextExtensions({ introspect: 'false' }), OPEN_POLICY);
    assert.deepEqual(policyFromContextExtensions({ required_roles: 'a', introspect: 'true' }), {
      roleSets: [['a']],
      introspect: true,
    });
  });

  for (const value of ['yes', 'TRUE', '1', '', ' true']) {
    it(`refuses introspect: ${JSON.stringify(value)}`, () => {
      assertPolicyError(
        () => policyFromContextExtensions({ introspect: value }),
        'context_extensions.introspect',
      );
    });
  }

  for (const value of ['', ' , ', 'admin\nowner']) {
    it(`refuses required_roles: ${JSON.stringify(value)} instead of allowing anyone`, () => {
      assertPolicyError(
        () => policyFromContextExtensions({ required_roles: value }),
        'context_extensions.required_roles',
      );
    });
  }

  it('refuses an unknown key such as a misspelt required_role', () => {
    assertPolicyError(
      () => policyFromContextExtensions({ required_role: 'admin' }),
      'context_extensions.required_role',
    );
  });
});
