/**
 * Shared set-up of the key set tests: a fake clock, key sets that close themselves after the
 * test, and a way to await the next event with a bound.
 */

import { once } from 'node:events';
import { after } from 'node:test';

import { RemoteKeySet } from '../../src/jwks/remote-key-set.js';
import type { RemoteKeySetOptions } from '../../src/jwks/options.js';
import type { RemoteKeySetEvents } from '../../src/jwks/state.js';

/** A clock that only moves when told to. Starts at 2030-01-01T00:00:00Z. */
export class FakeClock {
  #now = Date.UTC(2030, 0, 1);

  /** The current fake time, in ms since the epoch; pass `clock.now` as the `clock` option. */
  readonly now = (): number => this.#now;

  /** Moves time forward. */
  advance(ms: number): void {
    this.#now += ms;
  }
}

const open: RemoteKeySet[] = [];
after(() => {
  for (const keySet of open) keySet.close();
});

/**
 * A key set closed when the test file ends. Jitter is off (`random: () => 0`) so delays are
 * exact, unless the options say otherwise.
 */
export function openKeySet(options: RemoteKeySetOptions): RemoteKeySet {
  const keySet = new RemoteKeySet({ random: () => 0, ...options });
  open.push(keySet);
  return keySet;
}

/** Resolves with the payload of the next `event`, or rejects after `timeoutMs`. */
export async function nextEvent<E extends keyof RemoteKeySetEvents>(
  keySet: RemoteKeySet,
  event: E,
  timeoutMs = 3000,
): Promise<RemoteKeySetEvents[E][0]> {
  const [payload] = (await once(keySet as never, event, {
    signal: AbortSignal.timeout(timeoutMs),
  })) as RemoteKeySetEvents[E];
  return payload;
}
