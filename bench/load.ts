/**
 * A closed-loop load generator: a fixed number of requests with a fixed number in flight, each
 * worker sending its next request as soon as its last one is answered. Bounded by construction,
 * and the same load on both sides whatever their speed.
 */
import type { BenchResult } from './report.js';
import {
  compare,
  interleave,
  type InterleaveOptions,
  type RoundRunner,
  type RoundSample,
} from './stats.js';

/** Sends one request and resolves once its answer is complete; rejects on a wrong answer. */
export type SendRequest = () => Promise<void>;

/** The shape of a round's load. */
export interface LoadShape {
  /** Requests a round. */
  readonly requests: number;
  /** Requests in flight at any time. */
  readonly concurrency: number;
}

/** Sends `shape.requests` requests, `shape.concurrency` at a time, timing each. */
export async function closedLoop(send: SendRequest, shape: LoadShape): Promise<RoundSample> {
  const latenciesNs = new Float64Array(shape.requests);
  let next = 0;
  const worker = async () => {
    while (next < shape.requests) {
      const index = next++;
      const sent = process.hrtime.bigint();
      await send();
      latenciesNs[index] = Number(process.hrtime.bigint() - sent);
    }
  };

  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(shape.concurrency, shape.requests) }, worker));
  return { latenciesNs, elapsedNs: Number(process.hrtime.bigint() - start) };
}

/**
 * A round of load against one server, with the CPU time of the server process and of this one
 * (the load generator) sampled around it.
 *
 * @param serverCpuUs Reads the server process's CPU time so far, in microseconds.
 */
export function loadRound(
  send: SendRequest,
  shape: LoadShape,
  serverCpuUs: () => Promise<number>,
): RoundRunner {
  return async () => {
    const before = await serverCpuUs();
    const client = process.cpuUsage();
    const sample = await closedLoop(send, shape);
    const { user, system } = process.cpuUsage(client);
    const after = await serverCpuUs();
    return { ...sample, serverCpuUs: after - before, clientCpuUs: user + system };
  };
}

/** Sizes of a transport bench. */
export interface TransportBenchOptions extends InterleaveOptions, LoadShape {}

/**
 * What a transport bench compares: ours allowing against a bare server of the same protocol
 * (`ours-vs-bare`), or ours denying a request without a token against ours allowing one
 * (`deny-vs-allow`).
 */
export type TransportPair = 'ours-vs-bare' | 'deny-vs-allow';

/** One side of a transport bench: what it is, and how it sends one request. */
export interface LoadSide {
  readonly label: string;
  readonly send: SendRequest;
}

/**
 * Puts the same load on both sides in interleaved rounds and compares latency, throughput, and
 * the CPU per request of the server process and of the load generator. When the load generator
 * is the busier of the two, throughput and latency say more about it than about the server, and
 * the server's CPU per request is the number to read.
 */
export async function compareLoads(
  name: string,
  baseline: LoadSide,
  ours: LoadSide,
  serverCpuUs: () => Promise<number>,
  options: TransportBenchOptions,
): Promise<BenchResult> {
  const rounds = await interleave(
    loadRound(baseline.send, options, serverCpuUs),
    loadRound(ours.send, options, serverCpuUs),
    options,
  );
  return {
    name,
    baseline: baseline.label,
    ours: ours.label,
    settings: {
      rounds: options.rounds,
      warmupRounds: options.warmupRounds,
      requestsPerRound: options.requests,
      concurrency: options.concurrency,
    },
    comparisons: [
      compare(rounds, 'p50 µs/req', 'p50Ns', 1000),
      compare(rounds, 'p99 µs/req', 'p99Ns', 1000),
      compare(rounds, 'req/s', 'opsPerSecond'),
      compare(rounds, 'server CPU µs/req', 'serverCpuNs', 1000),
      compare(rounds, 'client CPU µs/req', 'clientCpuNs', 1000),
    ],
  };
}
