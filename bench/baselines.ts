/**
 * The bare servers our transports are measured against: the same protocol and wire format, and
 * no authorization at all. What ours costs beyond them is what authorization adds to a request.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Server, ServerCredentials } from '@grpc/grpc-js';

import { GrpcCode } from '../src/errors.js';
import {
  authorizationServiceDefinition,
  type AuthorizationHandlers,
  type CheckResponseInit,
} from '../src/grpc/proto.js';

/** A started baseline server on 127.0.0.1. */
export interface BaselineServer {
  readonly port: number;
  close(): Promise<void>;
}

/** What the bare HTTP server answers: the identity headers ours sets for the bench's token. */
export const BASELINE_IDENTITY_HEADERS: Readonly<Record<string, string>> = {
  'x-user-id': 'user-1',
  'x-user-email': 'ada@example.com',
  'x-user-roles': 'user',
};

/**
 * `envoy.service.auth.v3.Authorization/Check` from our own protos, answering every call at once
 * with one constant OK: a gRPC echo, paying only for the transport and the request's decoding.
 */
export function startBareGrpcServer(): Promise<BaselineServer> {
  const server = new Server();
  const ok: CheckResponseInit = { status: { code: GrpcCode.OK, message: '' } };
  const handlers: AuthorizationHandlers = {
    Check: (_call, callback) => callback(null, ok),
  };
  server.addService(authorizationServiceDefinition, handlers);

  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
      if (error) return reject(error);
      resolve({
        port,
        close: () => new Promise((done) => server.tryShutdown(() => done())),
      });
    });
  });
}

/** A node:http server that answers every request 200 with the identity headers, no body. */
export async function startBareHttpServer(): Promise<BaselineServer> {
  const server = createServer((_req, res) => {
    for (const [name, value] of Object.entries(BASELINE_IDENTITY_HEADERS)) {
      res.setHeader(name, value);
    }
    res.writeHead(200, { 'content-length': 0 }).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
