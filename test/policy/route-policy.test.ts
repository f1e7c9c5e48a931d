import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { mergePolicies, OPEN_POLICY, routePolicy, unmetRoleSet } from '../../src/policy/index.js';

describe('merging route policies', () => {
  it('gives the open policy when nothing is merged', () => {
    assert.equal(mergePolicies(), OPEN_POLICY);
    assert.equal(mergePolicies(undefined, undefined), OPEN_POLICY);
    assert.deepEqual(OPEN_POLICY, { roleSets: [], introspect: false });
  });

  it('returns a lone policy unchanged and skips undefined', () => {
    const admin = routePolicy(['admin']);
    assert.equal(mergePolicies(undefined, admin, undefined), admin);
  });

  it('concatenates role sets, so every set must be met (AND of any-ofs)', () => {
    const merged = mergePolicies(routePolicy(['admin', 'owner']), routePolicy(['auditor']));
    assert.deepEqual(merged.roleSets, [['admin', 'owner'], ['auditor']]);
  });

  it('asks for introspection when any policy does', () => {
    assert.equal(mergePolicies(routePolicy([], true), routePolicy(['a'])).introspect, true);
    assert.equal(mergePolicies(routePolicy(['a']), routePolicy(['b'])).introspect, false);
  });

  it('keeps identical role sets once, whatever their order', () => {
    const merged = mergePolicies(routePolicy(['a', 'b']), routePolicy(['b', 'a']));
    assert.deepEqual(merged.roleSets, [['a', 'b']]);
  });

  it('never loosens: merging with the open policy keeps the stricter one', () => {
    const strict = routePolicy(['admin'], true);
    assert.deepEqual(mergePolicies(OPEN_POLICY, strict), strict);
  });

  it('returns frozen policies', () => {
    const merged = mergePolicies(routePolicy(['a']), routePolicy(['b'], true));
    assert.ok(Object.isFrozen(merged));
    assert.ok(Object.isFrozen(merged.roleSets));
  });
});

describe('checking roles against a policy', () => {
  const policy = mergePolicies(routePolicy(['admin', 'owner']), routePolicy(['auditor']));

  it('is met when every set shares a role with the token', () => {
    assert.equal(unmetRoleSet(policy, ['owner', 'auditor']), undefined);
    assert.equal(unmetRoleSet(OPEN_POLICY, []), undefined);
  });

  it('names the first set the token misses', () => {
    assert.deepEqual(unmetRoleSet(policy, ['admin']), ['auditor']);
    assert.deepEqual(unmetRoleSet(policy, []), ['admin', 'owner']);
  });

  it('fails closed on an empty any-of set', () => {
    assert.deepEqual(unmetRoleSet({ roleSets: [[]], introspect: false }, ['admin']), []);
  });
});
