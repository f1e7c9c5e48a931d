/**
 * What a bench hands back, and the two ways it is printed: one JSON line per bench for machines,
 * one table for people.
 */
import type { Comparison } from './stats.js';

/** The outcome of one bench: what ran against what, how much of it, and the comparisons. */
export interface BenchResult {
  /** `grpc.c16`, `verifier.miss`, ... */
  readonly name: string;
  /** What the baseline side is. */
  readonly baseline: string;
  /** What our side is. */
  readonly ours: string;
  /** Sizes that produced the numbers: rounds, operations a round, concurrency. */
  readonly settings: Readonly<Record<string, number>>;
  /** The first comparison is the headline one. */
  readonly comparisons: readonly Comparison[];
}

function round(value: number, digits: number): number {
  return Number(value.toPrecision(digits));
}

/** The result as one line of JSON, numbers rounded to what the noise allows. */
export function jsonLine(result: BenchResult): string {
  return JSON.stringify({
    ...result,
    comparisons: result.comparisons.map((comparison) => ({
      ...comparison,
      baseline: round(comparison.baseline, 4),
      ours: round(comparison.ours, 4),
      ratio: round(comparison.ratio, 3),
      ratioRange: comparison.ratioRange.map((ratio) => round(ratio, 3)),
    })),
  });
}

function number(value: number): string {
  if (Number.isNaN(value)) return '-';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

function ratio(comparison: Comparison): string {
  const [low, high] = comparison.ratioRange.map((value) => value.toPrecision(3));
  return `${comparison.ratio.toPrecision(3)} (${low}–${high})`;
}

/**
 * A fixed-width table: one line per comparison, the bench name on its first line only, and the
 * two sides of each bench named underneath.
 */
export function table(results: readonly BenchResult[]): string {
  const header = ['bench', 'metric', 'baseline', 'ours', 'ratio (per-round range)'];
  const rows: string[][] = [header];
  const legend: string[] = [];
  for (const result of results) {
    result.comparisons.forEach((comparison, i) => {
      rows.push([
        i === 0 ? result.name : '',
        comparison.metric,
        number(comparison.baseline),
        number(comparison.ours),
        ratio(comparison),
      ]);
    });
    legend.push(`${result.name}: baseline = ${result.baseline}; ours = ${result.ours}`);
  }

  const widths = header.map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  const lines = rows.map((row) =>
    row
      .map((cell, column) =>
        column >= 2 && column <= 3
          ? cell.padStart(widths[column] as number)
          : cell.padEnd(widths[column] as number),
      )
      .join('  ')
      .trimEnd(),
  );
  return [...lines, '', ...legend].join('\n');
}
