/**
 * Shared set-up of the verifier tests: a real issuer (JwksServer) and a `ServiceAuth` in front of
 * it, both closed when the test ends; a fake clock; and an assertion on the refusal's `code`.
 */

import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';

import type { JWK } from 'jose';

import { isAuthFortError, type AuthFortError, type ErrorCode } from '../../src/errors.js';
import type { ServiceAuthOptions } from '../../src/options.js';
import { ServiceAuth } from '../../src/service-auth.js';
import { JwksServer } from '../support/jwks-server.js';

/** A clock that only moves when told to. Starts at 2030-01-01T00:00:00Z. */
export class FakeClock {
  #now = Date.UTC(2030, 0, 1);

  /** The current fake time in ms since the epoch; pass `clock.now` as the `clock` option. */
  readonly now = (): number => this.#now;

  /** The current fake time in whole seconds, as JWT `iat`/`exp` use. */
  get seconds(): number {
    return Math.floor(this.#now / 1000);
  }

  /** Moves time forward (or back, with a negative number) by `seconds`. */
  advanceSeconds(seconds: number): void {
    this.#now += seconds * 1000;
  }
}

/** Starts an issuer publishing `keys`, closed when the test ends. */
export async function startIssuer(t: TestContext, ...keys: JWK[]): Promise<JwksServer> {
  const issuer = await JwksServer.start({ keys });
  t.after(() => issuer.close());
  return issuer;
}

/**
 * A `ServiceAuth` trusting `issuer`'s key set, closed when the test ends. The cooldown is 0 unless
 * `options` say otherwise, so fetch counts are exact.
 */
export function openServiceAuth(
  t: TestContext,
  issuer: JwksServer,
  options: Partial<ServiceAuthOptions> = {},
): ServiceAuth {
  const auth = new ServiceAuth({ jwksUrl: issuer.jwksUrl, jwksCooldownSeconds: 0, ...options });
  t.after(() => auth.close());
  return auth;
}

/** {@link openServiceAuth}, once its first key set has loaded. */
export async function readyServiceAuth(
  t: TestContext,
  issuer: JwksServer,
  options: Partial<ServiceAuthOptions> = {},
): Promise<ServiceAuth> {
  const auth = openServiceAuth(t, issuer, options);
  await auth.ready;
  return auth;
}

/** Key set requests the issuer has received. */
export function fetchCount(issuer: JwksServer): number {
  return issuer.requestCount(issuer.jwksPath);
}

/**
 * Asserts that `promise` rejects with an {@link AuthFortError} of `code` (and, when given, these
 * context fields, such as `claim`), and returns the error.
 */
export async function assertRefused(
  promise: Promise<unknown>,
  code: ErrorCode,
  context: Partial<Pick<AuthFortError, 'claim' | 'status' | 'key' | 'upstreamStatus'>> = {},
): Promise<AuthFortError> {
  let outcome: { resolved: unknown } | { rejected: unknown };
  try {
    outcome = { resolved: await promise };
  } catch (error) {
    outcome = { rejected: error };
  }

  assert.ok('rejected' in outcome, `expected ${code}, but it resolved`);
  const error = outcome.rejected;
  assert.ok(isAuthFortError(error), `expected an AuthFortError with ${code}, got ${String(error)}`);
  assert.equal(error.code, code, `got ${error.code} (cause: ${String(error.cause)})`);
  for (const [field, value] of Object.entries(context)) {
    assert.equal(error[field as keyof typeof context], value, `${code}: field ${field}`);
  }
  return error;
}
