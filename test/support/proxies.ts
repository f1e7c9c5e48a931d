import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** A proxy process started by the harness. */
export interface ProxyHandle {
  /** Loopback port of the listener clients send requests to. */
  port: number;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and removes its temp dir. Idempotent. */
  close(): Promise<void>;
  /** Everything the process wrote to stdout and stderr so far (the last 1 MiB). */
  logs(): string;
}

/** Values for a template's placeholders, by placeholder name (`LISTEN_PORT`, ...). */
export type TemplateValues = Readonly<Record<string, string | number>>;

/** Thrown when a proxy exits or never becomes ready; `logs` holds what it wrote. */
export class ProxyStartError extends Error {
  readonly code = 'ERR_PROXY_START';

  constructor(
    message: string,
    readonly logs: string,
  ) {
    super(`${message}\n--- proxy output ---\n${logs || '(none)'}`);
    this.name = 'ProxyStartError';
  }
}

/** Absolute path of a file shipped under deploy/, e.g. `deployFile('envoy', 'envoy.yaml')`. */
export function deployFile(...segments: string[]): string {
  return fileURLToPath(new URL(path.posix.join('../../deploy', ...segments), import.meta.url));
}

/** Names of the `${NAME}` placeholders in a template (envsubst syntax), in order of appearance. */
export function placeholderNames(template: string): string[] {
  const names = [...template.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)].map((match) => match[1]);
  return [...new Set(names as string[])];
}

/**
 * Replaces every `${NAME}` placeholder, as `envsubst '${NAME} ...'` would. Throws naming the
 * placeholders that got no value, so a template and its launcher cannot drift apart silently.
 */
export function renderTemplate(template: string, values: TemplateValues, source: string): string {
  const missing = placeholderNames(template).filter((name) => values[name] === undefined);
  if (missing.length > 0) throw new Error(`${source}: no value for ${missing.join(', ')}`);

  return template.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (_, name: string) => String(values[name]));
}

/** A fresh directory under the OS temp dir, e.g. /tmp/authfort-envoy-Xa1b2c. */
export function makeWorkDir(program: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `authfort-${program}-`));
}

/** How to run a proxy and tell when it is ready. */
export interface LaunchOptions {
  /** Program name for messages, e.g. `envoy`. */
  name: string;
  binary: string;
  args: readonly string[];
  /** Added to the parent's environment. */
  env?: Readonly<Record<string, string>>;
  /** Owned by the proxy from now on: removed on close, also when the launch fails. */
  workDir: string;
  /** The listener clients hit. */
  port: number;
  /** Resolves true once the proxy serves traffic; polled every 50 ms. */
  isReady(): Promise<boolean>;
  /** Longest wait for readiness in milliseconds; default 15 000. */
  readyTimeoutMs?: number;
}

const MAX_LOG_CHARS = 1 << 20;
const STOP_GRACE_MS = 5_000;

interface Running {
  child: ChildProcess;
  workDir: string;
}

// Killed and removed synchronously when the test process exits, whatever the tests did.
const running = new Set<Running>();

/**
 * Spawns a proxy and waits until `isReady()` holds. If the process exits first or the wait runs
 * out, it is stopped, its temp dir removed, and a {@link ProxyStartError} carrying its output is
 * thrown.
 */
export async function launchProxy(options: LaunchOptions): Promise<ProxyHandle> {
  registerExitCleanup();

  const child = spawn(options.binary, options.args, {
    cwd: options.workDir,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entry: Running = { child, workDir: options.workDir };
  running.add(entry);

  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-MAX_LOG_CHARS);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);

  let exitReason: string | undefined;
  child.once('error', (error) => (exitReason ??= `could not be started: ${error.message}`));
  child.once('exit', (code, signal) => (exitReason ??= `exited (${signal ?? `code ${code}`})`));

  let closing: Promise<void> | undefined;
  const handle: ProxyHandle = {
    port: options.port,
    url: `http://127.0.0.1:${options.port}`,
    close: () => (closing ??= stop(entry)),
    logs: () => output,
  };

  const timeoutMs = options.readyTimeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitReason !== undefined) return fail(`${options.name} ${exitReason} before it was ready`);
    if (await options.isReady()) return handle;
    if (Date.now() > deadline) return fail(`${options.name} was not ready within ${timeoutMs} ms`);
    await delay(50);
  }

  async function fail(message: string): Promise<never> {
    await handle.close();
    throw new ProxyStartError(message, output);
  }
}

/** True when GET `url` answers 200 within a second. */
export function probeHttp(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1_000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}

/**
 * True when the listener on 127.0.0.1:`port` accepts a connection and answers HTTP. The probe
 * leaves out the Host header, so the server answers 400 before any route runs: it never reaches
 * the authorization endpoint or the upstream, whose recorded requests tests assert on.
 */
export function probeListener(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const finish = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('GET / HTTP/1.1\r\n\r\n'));
    socket.once('data', (chunk: Buffer) => finish(chunk.toString('latin1').startsWith('HTTP/1.')));
  });
}

async function stop(entry: Running): Promise<void> {
  const { child } = entry;
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const grace = delay(STOP_GRACE_MS, false, { ref: false });
    const graceful = await Promise.race([exited.then(() => true), grace]);
    if (!graceful) {
      child.kill('SIGKILL');
      await exited;
    }
  }
  running.delete(entry);
  await rm(entry.workDir, { recursive: true, force: true });
}

let exitCleanupRegistered = false;

function registerExitCleanup(): void {
  if (exitCleanupRegistered) return;
  exitCleanupRegistered = true;

  process.once('exit', killAllNow);

  // A signal ends Node without an 'exit' event unless someone listens (the test runner does).
  // Clean up, then let the signal do what it would have done without us.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllNow();
      process.removeListener(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function killAllNow(): void {
  for (const { child, workDir } of running) {
    child.kill('SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
  }
  running.clear();
}
