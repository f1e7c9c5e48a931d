/**
 * The gRPC `Check` round trip over loopback, as Envoy's ext_authz filter makes it: one HTTP/2
 * connection a client, a fixed number of calls in flight.
 *
 * - `grpc.c1`, `grpc.c16`: ours allowing a cached token against a bare server answering a
 *   constant OK (`./baselines.ts`): what authorization adds over a gRPC echo.
 * - `grpc.deny`: ours refusing a request without a token against ours allowing one.
 */
import { credentials } from '@grpc/grpc-js';

import { GrpcCode } from '../src/errors.js';
import {
  authorizationClientConstructor,
  type AuthorizationClient,
  type CheckRequestInit,
} from '../src/grpc/proto.js';
import {
  compareLoads,
  type LoadSide,
  type TransportBenchOptions,
  type TransportPair,
} from './load.js';
import type { BenchResult } from './report.js';
import type { BenchServers } from './servers.js';

/** A `CheckRequest` like the ones Envoy sends for a browser's `GET /orders/1`. */
export function envoyCheckRequest(authorization: string | undefined): CheckRequestInit {
  const headers: Record<string, string> = {
    ':authority': 'api.example.com',
    ':method': 'GET',
    ':path': '/orders/1',
    ':scheme': 'https',
    accept: 'application/json',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) bench',
    'x-forwarded-proto': 'https',
    'x-request-id': '3f1c2a9e-7b4d-4e21-9a0f-5c6d7e8f9a0b',
  };
  if (authorization !== undefined) headers['authorization'] = authorization;
  const peer = (address: string, port: number) => ({
    address: { socket_address: { address, port_value: port } },
  });
  return {
    attributes: {
      source: peer('10.0.0.7', 51234),
      destination: peer('10.0.0.2', 443),
      request: {
        http: {
          id: headers['x-request-id'],
          method: 'GET',
          path: '/orders/1',
          host: 'api.example.com',
          scheme: 'https',
          protocol: 'HTTP/2',
          headers,
        },
      },
      context_extensions: {},
    },
  };
}

function checkOnce(
  client: AuthorizationClient,
  request: CheckRequestInit,
  expectedCode: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    client.Check(request, (error, response) => {
      if (error) return reject(error);
      const code = response?.status?.code ?? 0;
      if (code !== expectedCode) return reject(new Error(`Check answered ${code}`));
      resolve();
    });
  });
}

// Proves the bench measures what it claims before it measures anything: an allow that does not
// set the identity headers would be a cheaper path than the real one.
function assertAllows(client: AuthorizationClient, request: CheckRequestInit): Promise<void> {
  return new Promise((resolve, reject) => {
    client.Check(request, (error, response) => {
      const headers = response?.ok_response?.headers ?? [];
      const userId = headers.find((option) => option.header?.key === 'x-user-id');
      if (error || userId?.header?.value !== 'user-1') {
        return reject(error ?? new Error('our server did not allow the bench token'));
      }
      resolve();
    });
  });
}

/** Runs one gRPC bench against the servers' child process. */
export async function benchGrpc(
  name: string,
  pair: TransportPair,
  servers: BenchServers,
  options: TransportBenchOptions,
): Promise<BenchResult> {
  const Authorization = authorizationClientConstructor();
  const connect = (port: number) =>
    new Authorization(`127.0.0.1:${port}`, credentials.createInsecure());
  const allowRequest = envoyCheckRequest(`Bearer ${servers.token}`);
  const denyRequest = envoyCheckRequest(undefined);
  const bare = pair === 'ours-vs-bare';
  const baselineClient = connect(bare ? servers.grpc.baseline : servers.grpc.ours);
  const oursClient = connect(servers.grpc.ours);
  try {
    await assertAllows(oursClient, allowRequest);

    const baseline: LoadSide = {
      label: bare ? 'bare grpc-js Check answering a constant OK' : 'our Check, allow (cache hit)',
      send: () => checkOnce(baselineClient, allowRequest, GrpcCode.OK),
    };
    const ours: LoadSide = bare
      ? {
          label: 'our Check, allow (cache hit)',
          send: () => checkOnce(oursClient, allowRequest, GrpcCode.OK),
        }
      : {
          label: 'our Check, deny (no token: 16 UNAUTHENTICATED)',
          send: () => checkOnce(oursClient, denyRequest, GrpcCode.UNAUTHENTICATED),
        };
    return await compareLoads(name, baseline, ours, () => servers.cpuUs(), options);
  } finally {
    baselineClient.close();
    oursClient.close();
  }
}
