/**
 * `authfort-service serve`: read the configuration, start the service (or a cluster of them),
 * and drain on SIGTERM.
 */
import cluster from 'node:cluster';

import type { Logger } from 'pino';

import { configWarnings, loadConfig, redactConfig } from '../config/index.js';
import type { ServiceConfig } from '../config/service-config.js';
import { runPrimary } from '../server/cluster.js';
import { createLogger } from '../server/logger.js';
import { startService, type RunningService } from '../server/service.js';

/** Resolves with the process exit code once a signal has stopped the service. */
function untilSignal(service: RunningService, config: ServiceConfig, logger: Logger) {
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal, drainSeconds: config.drainSeconds }, 'draining');
      // A second signal while draining means "now".
      process.once(signal, () => resolve(1));
      service.close(config.shutdownGraceSeconds * 1000, config.drainSeconds * 1000).then(
        () => {
          logger.info('stopped');
          resolve(0);
        },
        (error: unknown) => {
          logger.error({ error: String(error) }, 'stop failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

/**
 * Runs the server until a signal stops it. Configuration errors reject with `ERR_CONFIG_INVALID`
 * before anything listens; the CLI prints them as one line and exits 2.
 */
export async function runServe(configPath: string | undefined): Promise<number> {
  const config = loadConfig({ configPath });
  const logger = createLogger(config.logLevel);

  if (cluster.isPrimary) {
    for (const warning of configWarnings(config, process.env))
      logger.warn({ key: warning.key }, warning.message);
  }

  if (cluster.isPrimary && config.workers > 1) {
    logger.info({ config: redactConfig(config), workers: config.workers }, 'starting');
    await runPrimary(config, logger);
    return 0;
  }

  const service = await startService(config, logger, cluster.isWorker ? 'cluster-worker' : 'serve');
  const fields = {
    grpc: service.ports.grpc,
    http: service.ports.http,
    metrics: service.ports.metrics,
  };
  if (cluster.isWorker) logger.info({ listening: fields }, 'worker listening');
  else logger.info({ config: redactConfig(config), listening: fields }, 'listening');

  const code = await untilSignal(service, config, logger);
  // Let pino flush, then leave even if a client holds a connection open.
  setTimeout(() => process.exit(code), 50).unref();
  return code;
}
