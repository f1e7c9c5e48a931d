import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the upstream app saw it. */
export interface RecordedRequest {
  method: string;
  /** Path and query string as received, e.g. `/admin/x?y=1`. */
  url: string;
  /** Lower-case header names, as Node parses them. */
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A stand-in for the protected app: answers 200 with a JSON echo of each request. */
export interface EchoUpstream {
  /** Port on 127.0.0.1. */
  port: number;
  /** Every request received so far, oldest first. */
  requests: RecordedRequest[];
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/**
 * Starts an echo upstream on 127.0.0.1 and a port the kernel picks. It answers every request
 * with 200 and `{ method, url, headers, body }` as JSON, and records it in `requests`.
 */
export async function startEchoUpstream(): Promise<EchoUpstream> {
  const requests: RecordedRequest[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(recorded));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
