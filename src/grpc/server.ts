/**
 * The gRPC port: `envoy.service.auth.v3.Authorization/Check` and `grpc.health.v1.Health`.
 */
import { readFileSync } from 'node:fs';

import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';

import type { TlsConfig } from '../config/service-config.js';
import type { Authorizer } from '../decision/authorizer.js';
import { deny } from '../decision/decision.js';
import { AuthFortError } from '../errors.js';
import type { DecisionObserver } from '../http/server.js';
import { readCheckRequest, toCheckResponse, type CheckAdapterOptions } from './check.js';
import {
  AUTHORIZATION_SERVICE_NAME,
  authorizationServiceDefinition,
  type AuthorizationHandlers,
} from './proto.js';

/** What the gRPC server is built from. */
export interface GrpcServerOptions extends CheckAdapterOptions {
  readonly authorizer: Authorizer;
  readonly onDecision?: DecisionObserver;
}

/** A gRPC server with its health service, not yet bound. */
export interface AuthorizationGrpcServer {
  readonly server: Server;
  /** Marks the server (and the Authorization service) SERVING or NOT_SERVING. */
  setServing(serving: boolean): void;
  /**
   * Stops taking calls, waits for the Checks in flight (at most `graceMs`), then ends whatever is
   * left. Health Watch streams never end on their own, so waiting for every call would always
   * take the whole grace period; only Checks are waited for.
   */
  close(graceMs: number): Promise<void>;
}

/** The server credentials for `tls`, or insecure ones when it is undefined. */
export function serverCredentials(tls: TlsConfig | undefined): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  const clientCa = tls.clientCaPath === undefined ? null : readFileSync(tls.clientCaPath);
  return ServerCredentials.createSsl(
    clientCa,
    [{ cert_chain: readFileSync(tls.certPath), private_key: readFileSync(tls.keyPath) }],
    clientCa !== null,
  );
}

// How long close() lets connections wind down by themselves once every Check is answered.
const FLUSH_MS = 1000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Creates the gRPC server; health starts NOT_SERVING until `setServing(true)`. */
export function createGrpcServer(options: GrpcServerOptions): AuthorizationGrpcServer {
  // Envoy keeps long-lived HTTP/2 connections to its ext_authz cluster and may ping them.
  const server = new Server({
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  });

  const health = new HealthImplementation({
    '': 'NOT_SERVING',
    [AUTHORIZATION_SERVICE_NAME]: 'NOT_SERVING',
  });
  health.addToServer(server);

  let inFlight = 0;
  let settled: (() => void) | undefined;
  const finish = () => {
    inFlight -= 1;
    if (inFlight === 0) settled?.();
  };

  const handlers: AuthorizationHandlers = {
    Check(call, callback): void {
      inFlight += 1;
      const started = process.hrtime.bigint();
      const input = readCheckRequest(call.request, options);
      options.authorizer
        .check(input)
        .catch((error: unknown) =>
          deny(new AuthFortError('ERR_INTERNAL', undefined, { cause: error })),
        )
        .then((decision) => {
          options.onDecision?.('grpc', decision, Number(process.hrtime.bigint() - started) / 1e9);
          const response = toCheckResponse(decision, options);
          if (response !== undefined) return callback(null, response);
          const code = decision.allowed ? 'ERR_INTERNAL' : decision.code;
          callback({ code: status.UNAVAILABLE, details: code });
        })
        .catch(() => callback({ code: status.INTERNAL, details: 'ERR_INTERNAL' }))
        .finally(finish);
    },
  };
  server.addService(authorizationServiceDefinition, handlers);

  return {
    server,
    setServing(serving) {
      const state = serving ? 'SERVING' : 'NOT_SERVING';
      health.setStatus('', state);
      health.setStatus(AUTHORIZATION_SERVICE_NAME, state);
    },
    async close(graceMs) {
      const deadline = Date.now() + graceMs;
      const closed = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      const checksDone = new Promise<void>((resolve) => {
        settled = resolve;
        if (inFlight === 0) resolve();
      });
      await Promise.race([checksDone, delay(graceMs)]);

      // An answer just given may still sit in the socket's queue, and forceShutdown destroys the
      // socket. Clients close their connections once their calls are done after the GOAWAY, so
      // wait for that a moment; then cut what stays open (health Watch streams).
      await Promise.race([closed, delay(Math.min(FLUSH_MS, Math.max(0, deadline - Date.now())))]);
      server.forceShutdown();
      await closed;
    },
  };
}

/** Binds `server` to `host:port` and resolves with the bound port (useful when `port` is 0). */
export function bindGrpcServer(
  server: Server,
  host: string,
  port: number,
  credentials: ServerCredentials,
): Promise<number> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, boundPort) => {
      if (error) reject(error);
      else resolve(boundPort);
    });
  });
}
