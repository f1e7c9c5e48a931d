/**
 * `authfort-service demo` (`npm start`): a stand-in issuer on loopback, the real server against
 * it on the default ports, and a token with two commands to try. Nothing here runs in `serve`.
 */
import { loadConfig } from '../config/index.js';
import { startDemoIssuer } from '../demo/issuer.js';
import { createLogger } from '../server/logger.js';
import { startService } from '../server/service.js';

function banner(
  ports: { grpc: number; http: number; metrics?: number },
  tokens: {
    user: string;
    admin: string;
  },
): string {
  const http = `http://127.0.0.1:${ports.http}`;
  return `
authfort-service demo: a local issuer is signing tokens and the server trusts its key set.

  gRPC ext_authz   127.0.0.1:${ports.grpc}
  HTTP forward     ${http}/auth
  metrics          http://127.0.0.1:${ports.metrics ?? '-'}/metrics

A token for user-42 (roles: user), valid for an hour:

  TOKEN=${tokens.user}

and one for an admin:

  ADMIN=${tokens.admin}

Try it:

  curl -i -H "Authorization: Bearer $TOKEN" ${http}/auth
  curl -i -H "Authorization: Bearer $TOKEN" '${http}/auth?roles=admin'
  node dist/cli.js check --addr 127.0.0.1:${ports.grpc} --token "$TOKEN" --path /orders/7
  node dist/cli.js check --addr 127.0.0.1:${ports.grpc} --token "$ADMIN" --ext required_roles=admin

Press Ctrl-C to stop.
`;
}

/** Runs the demo until Ctrl-C. */
export async function runDemo(): Promise<number> {
  const issuer = await startDemoIssuer();
  // The demo listens on loopback only unless the addresses are set explicitly.
  const config = loadConfig({
    env: {
      AUTHFORT_GRPC_ADDR: '127.0.0.1:9001',
      AUTHFORT_HTTP_ADDR: '127.0.0.1:8080',
      AUTHFORT_METRICS_ADDR: '127.0.0.1:9464',
      AUTHFORT_LOG_LEVEL: 'warn',
      ...process.env,
      AUTHFORT_JWKS_URL: issuer.jwksUrl,
      AUTHFORT_DISCOVERY_URL: undefined,
      AUTHFORT_ISSUER: issuer.issuer,
      AUTHFORT_WORKERS: '1',
    },
  });
  const logger = createLogger(config.logLevel);
  const service = await startService(config, logger);
  await service.auth.ready;

  const tokens = {
    user: await issuer.sign({ sub: 'user-42', roles: ['user'] }),
    admin: await issuer.sign({
      sub: 'admin-1',
      email: 'grace@example.com',
      name: 'Grace Hopper',
      roles: ['admin', 'user'],
    }),
  };
  process.stdout.write(banner(service.ports, tokens));

  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await service.close(2000);
  await issuer.close();
  return 0;
}
