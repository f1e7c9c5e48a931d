/**
 * The HTTP port: forward-auth (`/auth`, `/auth/*`) and the Kubernetes probes (`/healthz`,
 * `/readyz`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import type { Authorizer } from '../decision/authorizer.js';
import { deny, type Decision } from '../decision/decision.js';
import { AuthFortError } from '../errors.js';
import { readForwardAuthRequest, writeDecision, type ForwardAuthOptions } from './forward-auth.js';

/** Whether the service should take traffic. */
export interface Readiness {
  /** True once the key set is loaded, until draining starts. */
  isReady(): boolean;
}

/** Called once per decided check, for logs and metrics. */
export type DecisionObserver = (
  transport: 'grpc' | 'http',
  decision: Decision,
  durationSeconds: number,
) => void;

/** What the HTTP server is built from. */
export interface HttpServerOptions extends ForwardAuthOptions {
  readonly authorizer: Authorizer;
  readonly readiness: Readiness;
  readonly onDecision?: DecisionObserver;
}

function sendJson(res: ServerResponse, status: number, body: object, headOnly: boolean): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(headOnly ? undefined : text);
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: HttpServerOptions,
): Promise<void> {
  const headOnly = req.method === 'HEAD';
  const path = (req.url ?? '/').split('?', 1)[0];

  if (path === '/healthz') return sendJson(res, 200, { status: 'ok' }, headOnly);
  if (path === '/readyz') {
    const ready = options.readiness.isReady();
    return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' }, headOnly);
  }

  const input = readForwardAuthRequest(req, options);
  if (input === undefined) return sendJson(res, 404, { error: 'not found' }, headOnly);

  const started = process.hrtime.bigint();
  const decision = await options.authorizer.check(input);
  options.onDecision?.('http', decision, Number(process.hrtime.bigint() - started) / 1e9);
  writeDecision(res, decision, options, headOnly);
}

/** Creates (does not start) the HTTP server. */
export function createHttpServer(options: HttpServerOptions): Server {
  const server = createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      // Never reached in normal operation (the core does not throw); if it is, deny.
      if (res.headersSent) return res.destroy();
      const failure = deny(new AuthFortError('ERR_INTERNAL', undefined, { cause: error }));
      writeDecision(res, failure, options, req.method === 'HEAD');
    });
  });
  // Forward-auth subrequests carry no body and come over keep-alive connections from the proxy:
  // bound how long a slow client may hold a socket, and outlive the proxies' own idle timeouts.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 65_000;
  return server;
}
