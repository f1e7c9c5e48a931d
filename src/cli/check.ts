/**
 * `authfort-service check`: sends one Envoy `Check` to a running server and prints the decision,
 * the way Envoy would receive it. For trying the demo and for debugging a deployment.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';

import {
  authorizationClientConstructor,
  type CheckRequestInit,
  type CheckResponse,
  type HeaderValueOption,
} from '../grpc/proto.js';

const HELP = `Usage: authfort-service check [options]

  --addr HOST:PORT     server's gRPC address (default 127.0.0.1:9001)
  --token TOKEN        bearer token to send (default: the AUTHFORT_TOKEN variable, which
                       keeps the token out of the process list)
  --method METHOD      original request's method (default GET)
  --path PATH          original request's path, query included (default /)
  --header NAME=VALUE  an extra request header; repeatable
  --ext KEY=VALUE      a context extension, as Envoy's per-route config sets them
                       (required_roles=admin,owner  introspect=true); repeatable
  --tls-ca FILE        use TLS, trusting this CA; with --tls-cert and --tls-key for mTLS
  --json               print the CheckResponse as JSON
  --timeout-ms N       give up after N milliseconds (default 5000)

Exit status: 0 allowed, 1 denied, 2 the call failed (the server is down, or answered UNAVAILABLE).`;

function pairs(values: readonly string[] | undefined, flag: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values ?? []) {
    const equals = value.indexOf('=');
    if (equals <= 0) throw new Error(`${flag} takes NAME=VALUE, got "${value}"`);
    result[value.slice(0, equals).trim().toLowerCase()] = value.slice(equals + 1);
  }
  return result;
}

function describeHeaders(options: readonly HeaderValueOption[], verb = ''): string[] {
  return options.map(({ header }) => `  ${verb}${header?.key}: ${header?.value}`);
}

function describe(response: CheckResponse): string {
  const code = response.status?.code ?? 0;
  if (code === 0) {
    const ok = response.ok_response;
    const lines = [`ALLOW (gRPC status 0)`];
    lines.push(...describeHeaders(ok?.headers ?? [], 'set    '));
    for (const name of ok?.headers_to_remove ?? []) lines.push(`  remove ${name}`);
    const fields = response.dynamic_metadata?.fields ?? {};
    const metadata = Object.fromEntries(
      Object.entries(fields).map(([key, value]) => [
        key,
        value.listValue
          ? value.listValue.values.map((item) => item.stringValue)
          : value.stringValue,
      ]),
    );
    lines.push(`  dynamic_metadata ${JSON.stringify(metadata)}`);
    return lines.join('\n');
  }
  const denied = response.denied_response;
  const lines = [
    `DENY ${denied?.status?.code ?? '-'} (gRPC status ${code}: ${response.status?.message ?? ''})`,
  ];
  lines.push(...describeHeaders(denied?.headers ?? []));
  if (denied?.body) lines.push(`  body ${denied.body}`);
  return lines.join('\n');
}

/** Runs `check` with its arguments; resolves with the exit status. */
export async function runCheckCommand(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      addr: { type: 'string', default: '127.0.0.1:9001' },
      token: { type: 'string' },
      method: { type: 'string', default: 'GET' },
      path: { type: 'string', default: '/' },
      header: { type: 'string', multiple: true },
      ext: { type: 'string', multiple: true },
      'tls-ca': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      json: { type: 'boolean', default: false },
      'timeout-ms': { type: 'string', default: '5000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }

  const headers: Record<string, string> = {
    ':method': values.method.toUpperCase(),
    ':path': values.path,
    ':authority': 'app.local',
    ...pairs(values.header, '--header'),
  };
  const token = values.token ?? process.env['AUTHFORT_TOKEN'];
  if (token !== undefined && token !== '') headers['authorization'] = `Bearer ${token}`;

  const request: CheckRequestInit = {
    attributes: {
      request: {
        http: { method: headers[':method'], path: values.path, host: 'app.local', headers },
      },
      context_extensions: pairs(values.ext, '--ext'),
    },
  };

  const channel =
    values['tls-ca'] === undefined
      ? credentials.createInsecure()
      : credentials.createSsl(
          readFileSync(values['tls-ca']),
          values['tls-key'] === undefined ? null : readFileSync(values['tls-key']),
          values['tls-cert'] === undefined ? null : readFileSync(values['tls-cert']),
        );
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    process.stderr.write(`--timeout-ms takes a whole number of milliseconds above 0\n`);
    return 2;
  }
  const Client = authorizationClientConstructor();
  const client = new Client(values.addr, channel);
  const deadline = new Date(Date.now() + timeoutMs);

  try {
    const response = await new Promise<CheckResponse>((resolve, reject) => {
      client.Check(request, new Metadata(), { deadline }, (error, answer) => {
        if (error || answer === undefined) reject(error ?? new Error('no response'));
        else resolve(answer);
      });
    });
    process.stdout.write(`${values.json ? JSON.stringify(response) : describe(response)}\n`);
    return (response.status?.code ?? 0) === 0 ? 0 : 1;
  } catch (error) {
    const failure = error as ServiceError;
    process.stderr.write(`check failed: gRPC status ${failure.code ?? '-'}: ${failure.details}\n`);
    return 2;
  } finally {
    client.close();
  }
}
