import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { freePort } from './ports.js';
import {
  deployFile,
  launchProxy,
  makeWorkDir,
  probeListener,
  type ProxyHandle,
  renderTemplate,
  type TemplateValues,
} from './proxies.js';

/** What to run. */
export interface NginxOptions {
  /** Path from `requireBinary(t, 'nginx')`. */
  binary: string;
  /**
   * Placeholder values for deploy/nginx/authfort.conf. Callers give `AUTHFORT_HTTP_PORT` and
   * `UPSTREAM_PORT`; the rest default to loopback and a free port.
   */
  values: TemplateValues;
}

/**
 * Starts NGINX on deploy/nginx/authfort.conf, the same snippet users include, inside a minimal
 * nginx.conf whose pid file, temp paths and logs all live in a fresh temp dir. Waits until the
 * listener answers HTTP.
 */
export async function startNginx(options: NginxOptions): Promise<ProxyHandle> {
  const values = {
    LISTEN_ADDRESS: '127.0.0.1',
    LISTEN_PORT: await freePort(),
    AUTHFORT_HOST: '127.0.0.1',
    UPSTREAM_HOST: '127.0.0.1',
    ...options.values,
  };

  const source = deployFile('nginx', 'authfort.conf');
  const snippet = renderTemplate(await readFile(source, 'utf8'), values, source);

  const workDir = await makeWorkDir('nginx');
  await writeFile(path.join(workDir, 'authfort.conf'), snippet);
  await writeFile(path.join(workDir, 'nginx.conf'), mainConfig(workDir));

  const port = Number(values.LISTEN_PORT);
  return launchProxy({
    name: 'nginx',
    binary: options.binary,
    // -e: the error log NGINX opens before it has read nginx.conf (the default path is
    // /var/log/nginx/error.log, which need not exist or be writable).
    args: ['-p', `${workDir}/`, '-c', path.join(workDir, 'nginx.conf'), '-e', 'stderr'],
    workDir,
    port,
    isReady: () => probeListener(port),
  });
}

// One process in the foreground (master_process off), so SIGTERM to it stops everything; it
// then also never switches user, which is why there is no `user` directive.
function mainConfig(workDir: string): string {
  const temp = (name: string): string => path.join(workDir, name);
  return `daemon off;
master_process off;
pid ${temp('nginx.pid')};
error_log stderr warn;

events {
    worker_connections 256;
}

http {
    access_log off;
    client_body_temp_path ${temp('client_body')};
    proxy_temp_path ${temp('proxy')};
    fastcgi_temp_path ${temp('fastcgi')};
    uwsgi_temp_path ${temp('uwsgi')};
    scgi_temp_path ${temp('scgi')};

    include ${temp('authfort.conf')};
}
`;
}
