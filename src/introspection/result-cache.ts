/**
 * Remembers recent introspection answers, active and inactive, keyed by a SHA-256 of the token.
 *
 * The key is a digest so that the cache (which lives as long as the process and may show up in a
 * heap dump) never holds a usable token. An entry lives until its own deadline, which the client
 * sets from the cache window and the token's `exp`; failures are never stored.
 */
import { createHash } from 'node:crypto';

import type { IntrospectionAnswer } from './wire.js';

interface Entry {
  readonly answer: IntrospectionAnswer;
  /** When the entry stops being served, in milliseconds since the epoch. */
  readonly expiresAtMs: number;
}

/**
 * The cache key of a token: its SHA-256, base64url. Also keys the in-flight requests, so no map
 * of the client holds a raw token.
 *
 * @param token The token.
 */
export function tokenKey(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** A bounded least-recently-used map from token digest to its last introspection answer. */
export class IntrospectionResultCache {
  readonly #entries = new Map<string, Entry>();
  readonly #capacity: number;

  /** @param capacity - most answers kept; the least recently used is dropped first. */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Number of answers held, including expired ones not yet dropped. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The remembered answer for a token digest, or `undefined` when there is none still valid.
   *
   * @param key The token's {@link tokenKey}.
   * @param nowMs The current time, in milliseconds since the epoch.
   */
  get(key: string, nowMs: number): IntrospectionAnswer | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;

    if (nowMs >= entry.expiresAtMs) {
      this.#entries.delete(key);
      return undefined;
    }

    // Re-inserting moves the entry to the young end of the Map's insertion order.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.answer;
  }

  /**
   * Remembers an answer until `expiresAtMs`; an answer already expired is not stored.
   *
   * @param key The token's {@link tokenKey}.
   * @param answer The answer.
   * @param expiresAtMs When to stop serving it, in milliseconds since the epoch.
   * @param nowMs The current time, in milliseconds since the epoch.
   */
  set(key: string, answer: IntrospectionAnswer, expiresAtMs: number, nowMs: number): void {
    if (expiresAtMs <= nowMs) return;

    this.#entries.delete(key);
    this.#entries.set(key, { answer, expiresAtMs });
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  /** Forgets every answer. */
  clear(): void {
    this.#entries.clear();
  }
}
