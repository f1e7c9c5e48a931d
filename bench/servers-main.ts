/**
 * Entry point of the bench servers' child process (see `./servers.ts`): starts an issuer, our
 * service against it and the two baselines, reports the ports, answers CPU samples, and exits
 * when told to or when the parent goes away.
 */
import { pino } from 'pino';

import { loadConfig } from '../src/config/load.js';
import { startService } from '../src/server/service.js';
import { JwksServer } from '../test/support/jwks-server.js';
import { generateSigningKey, signToken } from '../test/support/keys.js';
import { startBareGrpcServer, startBareHttpServer } from './baselines.js';
import type { ChildMessage, ParentMessage } from './servers.js';

const send = (message: ChildMessage) => process.send?.(message);

const key = await generateSigningKey('RS256');
const issuer = await JwksServer.start({ keys: [key.publicJwk] });
const env = {
  AUTHFORT_JWKS_URL: issuer.jwksUrl,
  AUTHFORT_GRPC_ADDR: '127.0.0.1:0',
  AUTHFORT_HTTP_ADDR: '127.0.0.1:0',
  AUTHFORT_METRICS_ADDR: '127.0.0.1:0',
  AUTHFORT_SHUTDOWN_GRACE_SECONDS: '1',
};
// Metrics are still recorded with logging off: they are part of every real request's cost.
const service = await startService(loadConfig({ env }), pino({ level: 'silent' }));
await service.auth.ready;
const bareGrpc = await startBareGrpcServer();
const bareHttp = await startBareHttpServer();

let closing = false;
async function closeAll(): Promise<void> {
  if (closing) return;
  closing = true;
  await Promise.all([service.close(1000), bareGrpc.close(), bareHttp.close(), issuer.close()]);
  process.disconnect?.();
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'cpu') send({ type: 'cpu', usage: process.cpuUsage() });
  else void closeAll();
});
// The parent died or hung up: nothing is left to measure, so do not linger.
process.on('disconnect', () => void closeAll());

send({
  type: 'ready',
  grpc: { ours: service.ports.grpc, baseline: bareGrpc.port },
  http: { ours: service.ports.http, baseline: bareHttp.port },
  token: await signToken(key),
});
