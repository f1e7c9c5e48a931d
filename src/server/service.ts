/**
 * One running authorization service: the verifier, the decision core, and the three ports, built
 * from a {@link ServiceConfig}. The CLI runs one of these per process (per worker in a cluster).
 */
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';

import type { ServiceConfig } from '../config/service-config.js';
import { Authorizer } from '../decision/authorizer.js';
import type { Decision } from '../decision/decision.js';
import { bindGrpcServer, createGrpcServer, serverCredentials } from '../grpc/server.js';
import { createHttpServer } from '../http/server.js';
import { IntrospectionClient } from '../introspection/index.js';
import { RouteTable } from '../policy/index.js';
import { ServiceAuth } from '../service-auth.js';
import { createMetrics, createMetricsServer } from './metrics.js';
import { observeDecision, observeKeySet } from './observer.js';

/** Where the metrics go. */
export type MetricsMode =
  /** This process serves `/metrics` itself (one process, no cluster). */
  | 'serve'
  /** A cluster worker: the primary collects and serves the sum over workers. */
  | 'cluster-worker';

/** A started service. */
export interface RunningService {
  /** The verifier, whose key set state tells how the issuer is doing. */
  readonly auth: ServiceAuth;
  /** Bound ports (the configured ones, or what the system chose for port 0). */
  readonly ports: { readonly grpc: number; readonly http: number; readonly metrics?: number };
  /** True once the key set is loaded, until draining starts. */
  isReady(): boolean;
  /**
   * Drains and stops: health goes NOT_SERVING and `/readyz` 503 at once; for `drainMs` checks
   * are still answered, so health-checking proxies can steer away; then the listeners stop
   * taking connections and in-flight checks finish. Whatever is left after `graceMs` (counted
   * from the start, drain included) is cut.
   *
   * @param graceMs - default `shutdownGraceSeconds`
   * @param drainMs - default 0; the CLI passes `drainSeconds`
   */
  close(graceMs?: number, drainMs?: number): Promise<void>;
}

function listen(server: HttpServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeHttp(server: HttpServer, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function introspector(config: ServiceConfig): IntrospectionClient | undefined {
  const settings = config.introspection;
  if (settings === undefined) return undefined;
  const { url, secret, style, timeoutMs } = settings;
  return new IntrospectionClient(
    { url, secret, style, timeoutMs },
    {
      url: 'AUTHFORT_INTROSPECT_URL',
      secret: 'AUTHFORT_INTROSPECT_SECRET',
      style: 'AUTHFORT_INTROSPECT_STYLE',
      timeoutMs: 'AUTHFORT_INTROSPECT_TIMEOUT_MS',
    },
  );
}

/** Builds the service from `config`, binds its ports, and starts loading the key set. */
export async function startService(
  config: ServiceConfig,
  logger: Logger,
  metricsMode: MetricsMode = 'serve',
): Promise<RunningService> {
  const metrics = createMetrics();
  const auth = new ServiceAuth(config.verifier);
  observeKeySet(logger, metrics, auth.keySet);

  const authorizer = new Authorizer({
    verifier: auth,
    routes: new RouteTable(config.routes, config.routeMatching),
    introspector: introspector(config),
  });

  let draining = false;
  const isReady = () => auth.keySet.state.loaded && !draining;
  const onDecision = (transport: 'grpc' | 'http', decision: Decision, seconds: number) =>
    observeDecision(logger, metrics, transport, decision, seconds);
  const adapter = {
    authorizer,
    onDecision,
    realm: config.realm,
    identityHeaders: config.identityHeaders,
    tokenSources: config.tokenSources,
  };

  const grpc = createGrpcServer(adapter);
  const http = createHttpServer({ ...adapter, readiness: { isReady } });
  const metricsServer = metricsMode === 'serve' ? createMetricsServer(metrics.registry) : undefined;
  if (metricsMode === 'cluster-worker') {
    // prom-client answers the primary's metric requests only once an AggregatorRegistry has been
    // made in the worker: making one installs that IPC listener.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([metrics.registry]);
  }

  let ports: RunningService['ports'];
  try {
    ports = {
      grpc: await bindGrpcServer(
        grpc.server,
        config.grpc.host,
        config.grpc.port,
        serverCredentials(config.grpc.tls),
      ),
      http: await listen(http, config.http.host, config.http.port),
      metrics:
        metricsServer && (await listen(metricsServer, config.metrics.host, config.metrics.port)),
    };
  } catch (error) {
    // One port failing to bind (taken, not permitted) must not leave the others listening and
    // the key set refreshing: the process could neither serve nor exit.
    grpc.server.forceShutdown();
    http.close();
    metricsServer?.close();
    await auth.close();
    throw error;
  }

  void auth.ready.then(() => {
    if (draining) return;
    grpc.setServing(true);
    metrics.ready.set(1);
    logger.info({ keys: auth.keySet.state.keyCount }, 'ready');
  });

  return {
    auth,
    ports,
    isReady,
    async close(graceMs = config.shutdownGraceSeconds * 1000, drainMs = 0) {
      draining = true;
      grpc.setServing(false);
      metrics.ready.set(0);

      const drain = Math.min(drainMs, graceMs);
      if (drain > 0) await new Promise((resolve) => setTimeout(resolve, drain));
      graceMs -= drain;

      await Promise.all([
        grpc.close(graceMs),
        closeHttp(http, graceMs),
        metricsServer && closeHttp(metricsServer, graceMs),
      ]);
      await auth.close();
    },
  };
}
