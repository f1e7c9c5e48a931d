/**
 * `ServiceAuth.verifyToken` against jose's own `jwtVerify` with a local key: the cost of the
 * signature and claims check itself, which no verifier built on jose can go below.
 *
 * - `verifier.hit`: one token over and over, so ours answers from the verified-token cache.
 * - `verifier.miss`: a fresh token every call, so ours does the full RS256 check every time.
 *
 * Both sides verify the same tokens in the same round, one call at a time.
 */
import { jwtVerify } from 'jose';

import { ServiceAuth } from '../src/service-auth.js';
import { JwksServer } from '../test/support/jwks-server.js';
import { authFortClaims, generateSigningKey, signToken } from '../test/support/keys.js';
import type { BenchResult } from './report.js';
import { compare, interleave, type InterleaveOptions, type RoundSample } from './stats.js';

/** Sizes of a verifier bench. */
export interface VerifierBenchOptions extends InterleaveOptions {
  /** Verifications each side makes per round. */
  readonly opsPerRound: number;
}

type Verify = (token: string) => Promise<unknown>;

// One clock read a call: each latency runs from the end of the previous call to the end of this.
async function timeEach(tokens: readonly string[], verify: Verify): Promise<RoundSample> {
  const latenciesNs = new Float64Array(tokens.length);
  const start = process.hrtime.bigint();
  let previous = start;
  for (let i = 0; i < tokens.length; i += 1) {
    await verify(tokens[i] as string);
    const now = process.hrtime.bigint();
    latenciesNs[i] = Number(now - previous);
    previous = now;
  }
  return { latenciesNs, elapsedNs: Number(previous - start) };
}

// A token as a server meets it: a flat string of its own, just read from a request. A freshly
// signed token is a concatenation of its three parts, and a string that was used as a Map key
// keeps its hash, so reusing one string object would make every cache lookup after the first
// unrealistically cheap (about 0.3 µs instead of 1.2 µs a hit).
function asReceived(token: string): string {
  return Buffer.from(token, 'latin1').toString('latin1');
}

async function signMany(sign: (sub: string) => Promise<string>, count: number) {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 1) tokens.push(asReceived(await sign(`user-${i}`)));
  return tokens;
}

/**
 * Runs `verifier.hit` (`cache: 'hit'`) or `verifier.miss` (`cache: 'miss'`).
 *
 * For misses every round gets its own batch of distinct tokens, signed up front (about half a
 * millisecond each), so no token is ever seen twice by our cache. For hits every call gets its
 * own copy of the one token, made before the round, as every request brings its own.
 */
export async function benchVerifier(
  cache: 'hit' | 'miss',
  options: VerifierBenchOptions,
): Promise<BenchResult> {
  const key = await generateSigningKey('RS256');
  const issuer = await JwksServer.start({ keys: [key.publicJwk] });
  const auth = new ServiceAuth({ jwksUrl: issuer.jwksUrl });
  try {
    await auth.ready;
    const sign = (sub: string) => signToken(key, { claims: authFortClaims({ sub }) });
    const totalRounds = options.warmupRounds + options.rounds;
    // Each side's round i verifies batch(i), whichever of them runs first.
    let batch: (round: number) => string[];
    if (cache === 'hit') {
      const token = await sign('user-1');
      await auth.verifyToken(token);
      batch = () => Array.from({ length: options.opsPerRound }, () => asReceived(token));
    } else {
      const tokens = await signMany(sign, totalRounds * options.opsPerRound);
      const size = options.opsPerRound;
      batch = (round) => tokens.slice(round * size, (round + 1) * size);
    }

    const joseOptions = { issuer: 'authfort', algorithms: ['RS256'] };
    const jose: Verify = (token) => jwtVerify(token, key.publicKey, joseOptions);
    const ours: Verify = (token) => auth.verifyToken(token);
    let baselineRound = 0;
    let oursRound = 0;
    const rounds = await interleave(
      () => timeEach(batch(baselineRound++), jose),
      () => timeEach(batch(oursRound++), ours),
      options,
    );

    return {
      name: `verifier.${cache}`,
      baseline: 'jose jwtVerify, local key (RS256)',
      ours:
        cache === 'hit'
          ? 'ServiceAuth.verifyToken, one token (cache hit)'
          : 'ServiceAuth.verifyToken, distinct tokens (full check)',
      settings: {
        rounds: options.rounds,
        warmupRounds: options.warmupRounds,
        opsPerRound: options.opsPerRound,
      },
      comparisons: [
        compare(rounds, 'p50 ns/op', 'p50Ns'),
        compare(rounds, 'p99 ns/op', 'p99Ns'),
        compare(rounds, 'mean ns/op', 'meanNs'),
      ],
    };
  } finally {
    await auth.close();
    await issuer.close();
  }
}
