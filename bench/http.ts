/**
 * HTTP forward-auth over loopback, as NGINX `auth_request` makes it: `GET /auth` with the
 * original request's headers, over kept-alive connections, a fixed number in flight.
 *
 * - `http.c1`, `http.c16`: ours allowing a cached token against a bare node:http server
 *   answering 200 with the same identity headers (`./baselines.ts`).
 * - `http.deny`: ours refusing a request without a token (401) against ours allowing one.
 */
import { Agent, request, type OutgoingHttpHeaders } from 'node:http';

import { BASELINE_IDENTITY_HEADERS } from './baselines.js';
import {
  compareLoads,
  type LoadSide,
  type SendRequest,
  type TransportBenchOptions,
  type TransportPair,
} from './load.js';
import type { BenchResult } from './report.js';
import type { BenchServers } from './servers.js';

/** The headers NGINX sends on an auth subrequest for a browser's `GET /orders/1`. */
export function authSubrequestHeaders(authorization: string | undefined): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    host: 'api.example.com',
    accept: 'application/json',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) bench',
    'x-original-method': 'GET',
    'x-original-uri': '/orders/1',
  };
  if (authorization !== undefined) headers['authorization'] = authorization;
  return headers;
}

interface Answer {
  readonly status: number;
  readonly userId: string | undefined;
}

function get(agent: Agent, port: number, headers: OutgoingHttpHeaders): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const options = { agent, host: '127.0.0.1', port, path: '/auth', headers };
    const req = request(options, (res) => {
      const userId = res.headers['x-user-id'];
      res.on('end', () => resolve({ status: res.statusCode ?? 0, userId: userId as string }));
      res.on('error', reject);
      res.resume();
    });
    req.on('error', reject);
    req.end();
  });
}

function sender(
  agent: Agent,
  port: number,
  headers: OutgoingHttpHeaders,
  status: number,
): SendRequest {
  return async () => {
    const answer = await get(agent, port, headers);
    if (answer.status !== status) throw new Error(`GET /auth answered ${answer.status}`);
  };
}

/** Runs one HTTP bench against the servers' child process. */
export async function benchHttp(
  name: string,
  pair: TransportPair,
  servers: BenchServers,
  options: TransportBenchOptions,
): Promise<BenchResult> {
  // One pool per side, as many sockets as requests in flight: a proxy's upstream keep-alive pool.
  const pool = () => new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const baselineAgent = pool();
  const oursAgent = pool();
  const allow = authSubrequestHeaders(`Bearer ${servers.token}`);
  const bare = pair === 'ours-vs-bare';
  try {
    // An allow without the identity headers would be a cheaper path than the real one.
    const probe = await get(oursAgent, servers.http.ours, allow);
    if (probe.status !== 200 || probe.userId !== BASELINE_IDENTITY_HEADERS['x-user-id']) {
      throw new Error(`our server did not allow the bench token (${probe.status})`);
    }

    const baseline: LoadSide = bare
      ? {
          label: 'bare node:http answering 200 + identity headers',
          send: sender(baselineAgent, servers.http.baseline, allow, 200),
        }
      : {
          label: 'our GET /auth, allow (cache hit)',
          send: sender(baselineAgent, servers.http.ours, allow, 200),
        };
    const ours: LoadSide = bare
      ? {
          label: 'our GET /auth, allow (cache hit)',
          send: sender(oursAgent, servers.http.ours, allow, 200),
        }
      : {
          label: 'our GET /auth, deny (no token: 401)',
          send: sender(oursAgent, servers.http.ours, authSubrequestHeaders(undefined), 401),
        };
    return await compareLoads(name, baseline, ours, () => servers.cpuUs(), options);
  } finally {
    baselineAgent.destroy();
    oursAgent.destroy();
  }
}
