/**
 * The Prometheus metrics of one process, and the `/metrics` endpoint.
 *
 * Labels take values from closed sets only (transport, allow/deny, error code, refresh trigger):
 * never a subject, a path or a header, so no request can add a time series or leak through one.
 */
import { createServer, type Server } from 'node:http';

import {
  AggregatorRegistry,
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type RegistryContentType,
} from 'prom-client';

/** The metrics this service records. */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** `authfort_decisions_total{transport, decision, code}`. */
  readonly decisions: Counter<'transport' | 'decision' | 'code'>;
  /** `authfort_check_duration_seconds{transport}`: time in the decision core per check. */
  readonly checkDuration: Histogram<'transport'>;
  /** `authfort_jwks_refreshes_total{result, trigger}`. */
  readonly jwksRefreshes: Counter<'result' | 'trigger'>;
  /** `authfort_jwks_keys`: keys in the key set in use. */
  readonly jwksKeys: Gauge;
  /** `authfort_jwks_last_success_timestamp_seconds`. */
  readonly jwksLastSuccess: Gauge;
  /** `authfort_ready`: 1 while the service takes traffic. */
  readonly ready: Gauge;
}

/** Creates the registry with Node's default process metrics and this service's own. */
export function createMetrics(): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const registers = [registry];
  return {
    registry,
    decisions: new Counter({
      name: 'authfort_decisions_total',
      help: 'Authorization decisions, by transport, outcome and error code.',
      labelNames: ['transport', 'decision', 'code'],
      registers,
    }),
    checkDuration: new Histogram({
      name: 'authfort_check_duration_seconds',
      help: 'Time from a check reaching the decision core to its decision.',
      labelNames: ['transport'],
      // Local verification takes tens of microseconds; introspection takes milliseconds.
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    jwksRefreshes: new Counter({
      name: 'authfort_jwks_refreshes_total',
      help: 'Key set fetches, by result and by what triggered them.',
      labelNames: ['result', 'trigger'],
      registers,
    }),
    jwksKeys: new Gauge({
      name: 'authfort_jwks_keys',
      help: 'Keys in the key set in use.',
      registers,
    }),
    jwksLastSuccess: new Gauge({
      name: 'authfort_jwks_last_success_timestamp_seconds',
      help: 'When the key set was last fetched successfully, in seconds since the epoch.',
      registers,
    }),
    ready: new Gauge({
      name: 'authfort_ready',
      help: '1 while the service takes traffic: key set loaded and not draining.',
      registers,
    }),
  };
}

/**
 * Serves `GET /metrics` from `registry`, or, in a cluster's primary, the sum over all workers
 * (prom-client collects each worker's metrics over the cluster IPC channel).
 */
export function createMetricsServer(
  source: Registry | AggregatorRegistry<RegistryContentType>,
): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const text = source instanceof AggregatorRegistry ? source.clusterMetrics() : source.metrics();
    text.then(
      (body) => {
        res.writeHead(200, { 'content-type': source.contentType }).end(body);
      },
      () => {
        res.writeHead(500).end();
      },
    );
  });
}
