import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { freePorts } from './ports.js';
import {
  deployFile,
  launchProxy,
  makeWorkDir,
  probeHttp,
  type ProxyHandle,
  renderTemplate,
  type TemplateValues,
} from './proxies.js';

/** The Envoy templates shipped in deploy/envoy/. */
export type EnvoyTemplate = 'envoy.yaml' | 'envoy-http.yaml';

/** A running Envoy. */
export interface EnvoyHandle extends ProxyHandle {
  /** `http://127.0.0.1:<admin port>`, for `/stats`, `/clusters`, ... */
  adminUrl: string;
}

/** What to run. */
export interface EnvoyOptions {
  /** Path from `requireBinary(t, 'envoy')`. */
  binary: string;
  template: EnvoyTemplate;
  /**
   * Placeholder values. Callers give `UPSTREAM_PORT` and `AUTHFORT_GRPC_PORT` (envoy.yaml) or
   * `AUTHFORT_HTTP_PORT` (envoy-http.yaml); the rest default to loopback and free ports.
   */
  values: TemplateValues;
  /**
   * Rewrites the rendered config before Envoy reads it, for a test that must take one safeguard
   * out to see another work alone. Default none: the shipped file as it is.
   */
  transform?: (config: string) => string;
}

/**
 * Starts Envoy on a deploy/envoy/ template, the same file users run, and waits until its admin
 * `/ready` answers 200. The admin listener is on 127.0.0.1 and a free port.
 */
export async function startEnvoy(options: EnvoyOptions): Promise<EnvoyHandle> {
  const [listenPort, adminPort] = (await freePorts(2)) as [number, number];
  const values = { ...loopbackDefaults(listenPort, adminPort), ...options.values };
  const rendered = await renderConfig(options.template, values);
  const config = options.transform === undefined ? rendered : options.transform(rendered);

  const workDir = await makeWorkDir('envoy');
  const configFile = path.join(workDir, options.template);
  await writeFile(configFile, config);

  const handle = await launchProxy({
    name: 'envoy',
    binary: options.binary,
    // Hot restart would share memory and a domain socket keyed by base id between Envoys;
    // without it any number run side by side. One worker thread is plenty for tests. Access log
    // lines reach logs() within 50 ms rather than Envoy's default 10 s.
    args: [
      '-c',
      configFile,
      '--disable-hot-restart',
      '--concurrency',
      '1',
      '-l',
      'warning',
      '--file-flush-interval-msec',
      '50',
    ],
    workDir,
    port: Number(values.LISTEN_PORT),
    isReady: () => probeHttp(`http://127.0.0.1:${values.ADMIN_PORT}/ready`),
  });

  return { ...handle, adminUrl: `http://127.0.0.1:${values.ADMIN_PORT}` };
}

/** Result of `envoy --mode validate`. */
export interface EnvoyValidation {
  ok: boolean;
  /** What Envoy printed; names the offending field when `ok` is false. */
  output: string;
}

/**
 * Renders a template with loopback values (overridable) and checks it with
 * `envoy --mode validate`, which parses every typed config without opening a port.
 */
export async function validateEnvoyTemplate(
  binary: string,
  template: EnvoyTemplate,
  values: TemplateValues = {},
): Promise<EnvoyValidation> {
  const defaults = { AUTHFORT_GRPC_PORT: 9001, AUTHFORT_HTTP_PORT: 8080, UPSTREAM_PORT: 3000 };
  const config = await renderConfig(template, {
    ...loopbackDefaults(8000, 9901),
    ...defaults,
    ...values,
  });

  const workDir = await makeWorkDir('envoy-validate');
  try {
    const configFile = path.join(workDir, template);
    await writeFile(configFile, config);
    return await run(binary, ['--mode', 'validate', '-c', configFile, '-l', 'warning']);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function loopbackDefaults(listenPort: number, adminPort: number): TemplateValues {
  return {
    LISTEN_ADDRESS: '127.0.0.1',
    LISTEN_PORT: listenPort,
    ADMIN_PORT: adminPort,
    AUTHFORT_HOST: '127.0.0.1',
    UPSTREAM_HOST: '127.0.0.1',
  };
}

async function renderConfig(template: EnvoyTemplate, values: TemplateValues): Promise<string> {
  const source = deployFile('envoy', template);
  return renderTemplate(await readFile(source, 'utf8'), values, source);
}

function run(binary: string, args: string[]): Promise<EnvoyValidation> {
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ ok: error === null, output: `${stdout}${stderr}` });
    });
  });
}
