/**
 * The statistics every bench shares: percentiles, per-round summaries, and the interleaved
 * A/B runner that makes ratios trustworthy on a shared, noisy machine.
 */

/** The value at quantile `q` (0..1) of `values`, by nearest rank. `NaN` when empty. */
export function percentile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

/** The median of `values`. */
export function median(values: ArrayLike<number>): number {
  return percentile(values, 0.5);
}

/** What one side did in one round: a latency a call, and the round's totals. */
export interface RoundSample {
  /** Latency of each operation, in nanoseconds. */
  readonly latenciesNs: Float64Array;
  /** Wall time of the whole round, in nanoseconds. */
  readonly elapsedNs: number;
  /** CPU the server process spent during the round, in microseconds, when one was measured. */
  readonly serverCpuUs?: number;
  /** CPU this process (the load generator) spent during the round, in microseconds. */
  readonly clientCpuUs?: number;
}

/** The numbers one round is reduced to. Latencies in nanoseconds. */
export interface RoundSummary {
  readonly p50Ns: number;
  readonly p99Ns: number;
  /** Wall time per operation: the inverse of throughput. */
  readonly meanNs: number;
  readonly opsPerSecond: number;
  /** Server CPU per operation, in nanoseconds; `NaN` when not measured. */
  readonly serverCpuNs: number;
  /** Load generator CPU per operation, in nanoseconds; `NaN` when not measured. */
  readonly clientCpuNs: number;
}

function perOperation(totalUs: number | undefined, ops: number): number {
  return totalUs === undefined ? Number.NaN : (totalUs * 1000) / ops;
}

/** Reduces a round to its percentiles, throughput, and CPU per operation on either end. */
export function summarizeRound(sample: RoundSample): RoundSummary {
  const ops = sample.latenciesNs.length;
  return {
    p50Ns: median(sample.latenciesNs),
    p99Ns: percentile(sample.latenciesNs, 0.99),
    meanNs: sample.elapsedNs / ops,
    opsPerSecond: (ops * 1e9) / sample.elapsedNs,
    serverCpuNs: perOperation(sample.serverCpuUs, ops),
    clientCpuNs: perOperation(sample.clientCpuUs, ops),
  };
}

/** One side of a comparison: runs one round of its workload and says what it measured. */
export type RoundRunner = () => Promise<RoundSample>;

/** How many rounds to run. */
export interface InterleaveOptions {
  /** Rounds whose samples are kept. */
  readonly rounds: number;
  /** Rounds run first and thrown away (JIT warm-up, connection set-up, lazy caches). */
  readonly warmupRounds: number;
}

/** The kept rounds of both sides; index `i` of each ran back to back. */
export interface PairedRounds {
  readonly baseline: RoundSummary[];
  readonly ours: RoundSummary[];
}

/**
 * Runs the two sides in alternating rounds, so that whatever the machine does meanwhile (another
 * tenant, a CPU frequency change) lands on both. The order flips every round (A B, B A, A B, ...):
 * garbage one side leaves behind is collected during whichever side runs next, and a fixed order
 * would always bill it to the same one.
 */
export async function interleave(
  baseline: RoundRunner,
  ours: RoundRunner,
  options: InterleaveOptions,
): Promise<PairedRounds> {
  const kept: PairedRounds = { baseline: [], ours: [] };
  for (let round = 0; round < options.warmupRounds + options.rounds; round += 1) {
    const oursFirst = round % 2 === 1;
    const first = await (oursFirst ? ours : baseline)();
    const second = await (oursFirst ? baseline : ours)();
    if (round < options.warmupRounds) continue;

    kept.baseline.push(summarizeRound(oursFirst ? second : first));
    kept.ours.push(summarizeRound(oursFirst ? first : second));
  }
  return kept;
}

/** One reported number for both sides, and their ratio. */
export interface Comparison {
  /** What is compared, with its unit: `p50 ns/op`, `server CPU µs/req`. */
  readonly metric: string;
  /** Median over rounds, in the metric's unit. */
  readonly baseline: number;
  readonly ours: number;
  /** Median over rounds of ours/baseline, each taken within one round. */
  readonly ratio: number;
  /** Lowest and highest per-round ratio: how steady the ratio was. */
  readonly ratioRange: readonly [number, number];
}

/**
 * Compares one field of the paired rounds. The ratio is taken round by round and then the
 * median, rather than a ratio of medians, so drift between rounds cancels out.
 *
 * @param scale Divides the field (1000 turns nanoseconds into microseconds).
 */
export function compare(
  rounds: PairedRounds,
  metric: string,
  field: keyof RoundSummary,
  scale = 1,
): Comparison {
  const baseline = rounds.baseline.map((round) => round[field] / scale);
  const ours = rounds.ours.map((round) => round[field] / scale);
  const ratios = ours.map((value, i) => value / (baseline[i] as number));
  return {
    metric,
    baseline: median(baseline),
    ours: median(ours),
    ratio: median(ratios),
    ratioRange: [Math.min(...ratios), Math.max(...ratios)],
  };
}
