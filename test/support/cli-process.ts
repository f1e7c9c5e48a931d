/**
 * Runs the real `authfort-service` command (from source, through tsx) as a child process, and
 * reads its JSON log lines as they come.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** A running CLI process. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Every stdout line parsed as JSON (non-JSON lines are kept as `{ text }`). */
  readonly lines: Record<string, unknown>[];
  /** Everything written to stderr. */
  stderr(): string;
  /** Resolves with the first log line (present or future) for which `match` is true. */
  waitForLine(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited(): Promise<number | string>;
  /** Kills the process (SIGKILL) if it still runs. */
  kill(): void;
}

/** Starts `authfort-service <args>` with exactly `env` (plus PATH) as its environment. */
export function runCli(args: readonly string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: { match: (line: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
  let stderr = '';
  let buffered = '';

  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      const text = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        line = { text };
      }
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.match(line))) waiter.resolve();
      newline = buffered.indexOf('\n');
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });

  const exit = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);

  return {
    child,
    lines,
    stderr: () => stderr,
    waitForLine(match, timeoutMs = 20_000) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`no matching log line in ${timeoutMs} ms; stderr: ${stderr}`));
        }, timeoutMs);
        const waiter = {
          match,
          resolve: () => {
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(waiter), 1);
            resolve(lines.find(match) as Record<string, unknown>);
          },
        };
        waiters.push(waiter);
        void exit.then(() => {
          if (!waiters.includes(waiter)) return;
          clearTimeout(timer);
          reject(new Error(`process exited before a matching log line; stderr: ${stderr}`));
        });
      });
    },
    exited: () => exit,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
