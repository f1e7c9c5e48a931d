import { readFile } from 'node:fs/promises';

import { freePorts } from './ports.js';
import {
  deployFile,
  launchProxy,
  makeWorkDir,
  probeListener,
  type ProxyHandle,
  type TemplateValues,
} from './proxies.js';

/** What to run. */
export interface CaddyOptions {
  /** Path from `requireBinary(t, 'caddy')`. */
  binary: string;
  /**
   * Values for the `{$NAME:default}` placeholders of deploy/caddy/Caddyfile, passed as
   * environment variables. Callers give `AUTHFORT_HTTP_PORT` and `UPSTREAM_PORT`; the rest
   * default to loopback and free ports.
   */
  values: TemplateValues;
}

/**
 * Runs `caddy run` on deploy/caddy/Caddyfile itself (its placeholders read the environment),
 * with HOME and the XDG dirs in a fresh temp dir so Caddy's storage and autosave stay there.
 * Waits until the listener answers HTTP.
 */
export async function startCaddy(options: CaddyOptions): Promise<ProxyHandle> {
  const [listenPort, adminPort] = (await freePorts(2)) as [number, number];
  const values: TemplateValues = {
    LISTEN_ADDRESS: '127.0.0.1',
    LISTEN_PORT: listenPort,
    ADMIN_PORT: adminPort,
    AUTHFORT_HOST: '127.0.0.1',
    UPSTREAM_HOST: '127.0.0.1',
    ...options.values,
  };

  // Every placeholder gets a value, so a default in the Caddyfile (such as port 8080) or a
  // stray variable in the caller's environment never decides where a test's requests go.
  const caddyfile = deployFile('caddy', 'Caddyfile');
  const missing = caddyPlaceholders(await readFile(caddyfile, 'utf8')).filter(
    (name) => values[name] === undefined,
  );
  if (missing.length > 0) throw new Error(`${caddyfile}: no value for ${missing.join(', ')}`);

  const workDir = await makeWorkDir('caddy');
  const env = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
  const port = Number(values.LISTEN_PORT);
  return launchProxy({
    name: 'caddy',
    binary: options.binary,
    args: ['run', '--config', caddyfile, '--adapter', 'caddyfile'],
    env: { ...env, HOME: workDir, XDG_CONFIG_HOME: workDir, XDG_DATA_HOME: workDir },
    workDir,
    port,
    isReady: () => probeListener(port),
  });
}

function caddyPlaceholders(caddyfile: string): string[] {
  const names = [...caddyfile.matchAll(/\{\$([A-Z][A-Z0-9_]*)(?::[^}]*)?\}/g)].map((m) => m[1]);
  return [...new Set(names as string[])];
}
