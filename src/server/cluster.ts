/**
 * `AUTHFORT_WORKERS=N`: N processes share the gRPC and HTTP ports through node:cluster (the
 * primary accepts and hands connections round-robin). The primary forks and replaces workers,
 * serves `/metrics` summed over all of them, and passes SIGTERM on.
 */
import cluster, { type Worker } from 'node:cluster';

import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';

import type { ServiceConfig } from '../config/service-config.js';
import { createMetricsServer } from './metrics.js';

// A worker that dies within this many milliseconds of its start is crashing at start-up (a port
// taken, a bad file): replacing it at once would spin, so replacements wait a little.
const CRASH_LOOP_WINDOW_MS = 5_000;
const RESTART_DELAY_MS = 1_000;

/**
 * Runs the cluster primary until SIGTERM or SIGINT: forks `config.workers` workers, replaces any
 * that die, and exits once all have stopped (or after the grace period plus a second).
 */
export async function runPrimary(config: ServiceConfig, logger: Logger): Promise<void> {
  const aggregator = new AggregatorRegistry();
  const metricsServer = createMetricsServer(aggregator);
  await new Promise<void>((resolve, reject) => {
    metricsServer.once('error', reject);
    metricsServer.listen(config.metrics.port, config.metrics.host, () => resolve());
  });

  let stopping = false;
  const startedAt = new Map<number, number>();

  const fork = (): Worker => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
    return worker;
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    if (stopping) return;
    logger.error({ worker: worker.process.pid, code, signal }, 'worker died; replacing it');
    const delay = lived < CRASH_LOOP_WINDOW_MS ? RESTART_DELAY_MS : 0;
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });

  for (let i = 0; i < config.workers; i += 1) fork();

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'stopping');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');

      const deadline = setTimeout(
        () => {
          for (const worker of Object.values(cluster.workers ?? {}))
            worker?.process.kill('SIGKILL');
          resolve();
        },
        config.shutdownGraceSeconds * 1000 + 1000,
      );
      const check = () => {
        if (Object.keys(cluster.workers ?? {}).length > 0) return;
        clearTimeout(deadline);
        resolve();
      };
      cluster.on('exit', check);
      check();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  metricsServer.close();
}
