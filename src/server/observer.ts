/**
 * The one place where what happens becomes log lines and metrics. Library modules (key set,
 * verifier, introspection client) only expose state and events; this file listens.
 *
 * What may be logged: error codes, claim names, setting names, upstream statuses and URLs, key
 * ids, counts, and at debug level the subject of an allowed request. Never a token, a secret or a
 * header map.
 */
import type { Logger } from 'pino';

import type { Decision } from '../decision/decision.js';
import { isDependencyFailure } from '../decision/decision.js';
import type { AuthFortError } from '../errors.js';
import type { RemoteKeySet } from '../jwks/remote-key-set.js';
import type { ServiceMetrics } from './metrics.js';

function safeUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return undefined;
  }
}

/** The loggable fields of an error: its code and context, never its cause's payload. */
export function errorFields(error: AuthFortError): Record<string, unknown> {
  return {
    code: error.code,
    claim: error.claim,
    upstreamStatus: error.upstreamStatus,
    url: safeUrl(error.url),
    // The setting at fault, for ERR_CONFIG_INVALID (`context_extensions.introspect`): without it
    // an operator sees 500s but not which route setting to fix.
    key: error.key,
    cause:
      error.cause instanceof Error && !('payload' in error.cause) ? error.cause.message : undefined,
  };
}

/** Records one decision: a metric always, a log line by outcome. */
export function observeDecision(
  logger: Logger,
  metrics: ServiceMetrics,
  transport: 'grpc' | 'http',
  decision: Decision,
  durationSeconds: number,
): void {
  const code = decision.allowed ? 'OK' : decision.code;
  metrics.decisions.inc({ transport, decision: decision.allowed ? 'allow' : 'deny', code });
  metrics.checkDuration.observe({ transport }, durationSeconds);

  if (decision.allowed) {
    if (logger.isLevelEnabled('debug')) {
      logger.debug({ transport, sub: decision.user.sub, durationSeconds }, 'allowed');
    }
    return;
  }

  const fields = { transport, ...errorFields(decision.error) };
  if (decision.code === 'ERR_INTERNAL') logger.error(fields, 'check failed unexpectedly');
  else if (isDependencyFailure(decision)) logger.warn(fields, 'denied: dependency unavailable');
  else logger.info(fields, 'denied');
}

/** Turns the key set's events and state into log lines and metrics. */
export function observeKeySet(
  logger: Logger,
  metrics: ServiceMetrics,
  keySet: RemoteKeySet,
  clock: () => number = Date.now,
): void {
  keySet.on('refreshed', (event) => {
    metrics.jwksRefreshes.inc({ result: 'success', trigger: event.trigger });
    metrics.jwksKeys.set(event.keyCount);
    metrics.jwksLastSuccess.set(clock() / 1000);
    const changed = event.added.length > 0 || event.removed.length > 0;
    const level = changed ? 'info' : 'debug';
    logger[level](
      {
        trigger: event.trigger,
        keys: event.keyCount,
        added: event.added,
        removed: event.removed,
        maxAgeSeconds: event.maxAgeSeconds,
      },
      'key set refreshed',
    );
  });

  keySet.on('refresh-failed', (event) => {
    metrics.jwksRefreshes.inc({ result: 'failure', trigger: event.trigger });
    const fields = {
      trigger: event.trigger,
      consecutiveFailures: event.consecutiveFailures,
      retryInSeconds: event.retryInSeconds,
      keptKeys: keySet.state.keyCount,
      ...errorFields(event.error),
    };
    // Still serving from the last good keys is a warning; having none at all is an error.
    if (keySet.state.loaded) logger.warn(fields, 'key set refresh failed; keeping last good keys');
    else logger.error(fields, 'key set fetch failed; not ready');
  });
}
