/**
 * TLS and mTLS on the gRPC port (AUTHFORT_TLS_CERT, AUTHFORT_TLS_KEY, AUTHFORT_TLS_CLIENT_CA),
 * with certificates made by the real openssl for each run.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { credentials, Metadata, type ChannelCredentials } from '@grpc/grpc-js';
import { pino } from 'pino';

import { loadConfig } from '../../src/config/index.js';
import type { CheckResponse } from '../../src/grpc/messages.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { OfficialAuthorizationClient } from '../support/envoy-protos.js';
import { JwksServer } from '../support/jwks-server.js';
import { generateSigningKey, signToken, type SigningKey } from '../support/keys.js';
import { baseEnv } from '../support/service-harness.js';

let dir: string;
let key: SigningKey;
let issuer: JwksServer;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A self-signed CA for this run. */
function makeCa(): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=authfort test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
  );
}

/** A key and a certificate for `name`, signed by the CA, with these X.509 extensions. */
function makeSigned(name: string, extensions: string): void {
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
  );
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  );
}

const file = (name: string) => join(dir, name);
const read = (name: string) => readFileSync(file(name));

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'authfort-tls-'));
  makeCa();
  makeSigned('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  makeSigned('client', 'extendedKeyUsage=clientAuth\n');
  key = await generateSigningKey('RS256');
  issuer = await JwksServer.start({ keys: [key.publicJwk] });
});

after(async () => {
  await issuer.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(env: Record<string, string>): Promise<RunningService> {
  const config = loadConfig({
    env: {
      ...baseEnv(issuer),
      AUTHFORT_TLS_CERT: file('server.crt'),
      AUTHFORT_TLS_KEY: file('server.key'),
      ...env,
    },
  });
  const service = await startService(config, pino({ level: 'silent' }));
  await service.auth.ready;
  return service;
}

async function check(port: number, channel: ChannelCredentials): Promise<CheckResponse> {
  const client = new OfficialAuthorizationClient(`127.0.0.1:${port}`, channel);
  const token = await signToken(key);
  const request = {
    attributes: {
      request: {
        http: { method: 'GET', path: '/', headers: { authorization: `Bearer ${token}` } },
      },
    },
  };
  try {
    return await new Promise((resolve, reject) => {
      const deadline = new Date(Date.now() + 5000);
      client.Check(request, new Metadata(), { deadline }, (error, response) => {
        if (error || response === undefined) reject(error ?? new Error('no response'));
        else resolve(response as CheckResponse);
      });
    });
  } finally {
    client.close();
  }
}

describe('TLS', () => {
  let service: RunningService;
  before(async () => {
    service = await serve({});
  });
  after(() => service.close(1000));

  test('a client that trusts the CA gets its decision', async () => {
    const response = await check(service.ports.grpc, credentials.createSsl(read('ca.crt')));
    assert.equal(response.status?.code, 0);
  });

  test('a plaintext client gets no decision', async () => {
    await assert.rejects(check(service.ports.grpc, credentials.createInsecure()), { code: 14 });
  });
});

describe('mTLS', () => {
  let service: RunningService;
  before(async () => {
    service = await serve({ AUTHFORT_TLS_CLIENT_CA: file('ca.crt') });
  });
  after(() => service.close(1000));

  test('a client presenting a certificate the CA signed gets its decision', async () => {
    const channel = credentials.createSsl(read('ca.crt'), read('client.key'), read('client.crt'));
    const response = await check(service.ports.grpc, channel);
    assert.equal(response.status?.code, 0);
  });

  test('a client without a certificate gets no decision', async () => {
    await assert.rejects(check(service.ports.grpc, credentials.createSsl(read('ca.crt'))), {
      code: 14,
    });
  });
});
