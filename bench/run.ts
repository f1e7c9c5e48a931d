/**
 * Runs the benches: `npm run bench -- [--quick] [--cpu-prof[=DIR]] [NAME ...]`.
 *
 * Every bench measures ours against a baseline in the same run, interleaved, and reports the
 * ratio: on a shared machine absolute numbers drift from run to run, ratios much less. A NAME
 * selects a bench (`grpc.c16`) or a group (`grpc`); none runs them all. `--quick` trades
 * precision for time (about 15 s instead of 1–2 min). `--cpu-prof` writes a V8 CPU profile of
 * the servers' process (default directory: the system's temporary one).
 *
 * Prints one JSON line per bench as it finishes, then a table.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { benchGrpc } from './grpc.js';
import { benchHttp } from './http.js';
import type { TransportBenchOptions, TransportPair } from './load.js';
import { jsonLine, table, type BenchResult } from './report.js';
import { startServers, type BenchServers } from './servers.js';
import { benchVerifier, type VerifierBenchOptions } from './verifier.js';

/** How much work each kind of bench does. */
interface Sizes {
  readonly verifierHit: VerifierBenchOptions;
  readonly verifierMiss: VerifierBenchOptions;
  readonly serial: TransportBenchOptions;
  readonly concurrent: TransportBenchOptions;
}

const FULL: Sizes = {
  verifierHit: { rounds: 12, warmupRounds: 2, opsPerRound: 5000 },
  verifierMiss: { rounds: 12, warmupRounds: 2, opsPerRound: 250 },
  serial: { rounds: 12, warmupRounds: 2, requests: 1000, concurrency: 1 },
  concurrent: { rounds: 12, warmupRounds: 2, requests: 4000, concurrency: 16 },
};

const QUICK: Sizes = {
  verifierHit: { rounds: 5, warmupRounds: 1, opsPerRound: 2000 },
  verifierMiss: { rounds: 5, warmupRounds: 1, opsPerRound: 100 },
  serial: { rounds: 5, warmupRounds: 1, requests: 300, concurrency: 1 },
  concurrent: { rounds: 5, warmupRounds: 1, requests: 1500, concurrency: 16 },
};

interface Bench {
  readonly name: string;
  run(sizes: Sizes, servers: () => Promise<BenchServers>): Promise<BenchResult>;
}

function transport(
  name: string,
  bench: typeof benchGrpc | typeof benchHttp,
  pair: TransportPair,
  load: 'serial' | 'concurrent',
): Bench {
  return { name, run: async (sizes, servers) => bench(name, pair, await servers(), sizes[load]) };
}

const BENCHES: readonly Bench[] = [
  { name: 'verifier.hit', run: (sizes) => benchVerifier('hit', sizes.verifierHit) },
  { name: 'verifier.miss', run: (sizes) => benchVerifier('miss', sizes.verifierMiss) },
  transport('grpc.c1', benchGrpc, 'ours-vs-bare', 'serial'),
  transport('grpc.c16', benchGrpc, 'ours-vs-bare', 'concurrent'),
  transport('grpc.deny', benchGrpc, 'deny-vs-allow', 'serial'),
  transport('http.c1', benchHttp, 'ours-vs-bare', 'serial'),
  transport('http.c16', benchHttp, 'ours-vs-bare', 'concurrent'),
  transport('http.deny', benchHttp, 'deny-vs-allow', 'serial'),
];

/** A mistake on the command line: reported in one line, without a stack. */
class UsageError extends Error {}

interface Arguments {
  readonly quick: boolean;
  readonly cpuProfileDir: string | undefined;
  readonly benches: readonly Bench[];
}

function parseArguments(argv: readonly string[]): Arguments {
  let quick = false;
  let cpuProfileDir: string | undefined;
  const names: string[] = [];
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--cpu-prof') cpuProfileDir = mkdtempSync(join(tmpdir(), 'authfort-bench-'));
    else if (arg.startsWith('--cpu-prof=')) cpuProfileDir = arg.slice('--cpu-prof='.length);
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else names.push(arg);
  }

  const selected = (bench: Bench) =>
    names.length === 0 || names.some((n) => bench.name === n || bench.name.startsWith(`${n}.`));
  const benches = BENCHES.filter(selected);
  if (benches.length === 0) {
    const known = BENCHES.map((bench) => bench.name).join(', ');
    throw new UsageError(`no bench named ${names.join(', ')}; known: ${known}`);
  }
  return { quick, cpuProfileDir, benches };
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const sizes = args.quick ? QUICK : FULL;

  // Started on first use, so the verifier benches alone need no child process.
  let started: Promise<BenchServers> | undefined;
  const servers = () => (started ??= startServers({ cpuProfileDir: args.cpuProfileDir }));

  const results: BenchResult[] = [];
  const began = Date.now();
  try {
    for (const bench of args.benches) {
      process.stderr.write(`running ${bench.name}...\n`);
      const result = await bench.run(sizes, servers);
      results.push(result);
      process.stdout.write(`${jsonLine(result)}\n`);
    }
  } finally {
    await started?.then(
      (running) => running.close(),
      () => undefined,
    );
  }

  const seconds = ((Date.now() - began) / 1000).toFixed(0);
  process.stdout.write(`\n${table(results)}\n\n`);
  process.stdout.write(`${args.quick ? 'quick' : 'full'} run, ${seconds} s. Ratios = ours / `);
  process.stdout.write('baseline, the median of per-round ratios; the range is their min–max.\n');
  if (args.cpuProfileDir !== undefined) {
    process.stdout.write(`CPU profile of the servers' process: ${args.cpuProfileDir}\n`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
