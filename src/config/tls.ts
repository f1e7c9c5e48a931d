/**
 * TLS of the gRPC listener: which files go together, and whether they can be read.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { TlsConfig } from './service-config.js';
import { keyLike, type Setting, type SettingsLayer } from './settings.js';
import { configError } from './values.js';

/**
 * Reads the file at `setting` and checks it holds the PEM block `label` names. Only the path
 * and the error code reach the message, never the content (the key file is a secret).
 */
function checkPemFile(setting: Setting<string>, label: string, what: string): string {
  const { key } = setting;
  const path = resolve(setting.value);

  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw configError(key, `${key} names ${path}, which cannot be read (${code})`);
  }

  // A swapped certificate and key is a common slip; saying so beats an OpenSSL error later.
  if (!new RegExp(`-----BEGIN [A-Z ]*${label}-----`).test(text)) {
    throw configError(key, `${key} names ${path}, which holds no PEM ${what}`);
  }
  return path;
}

/**
 * TLS settings, checked: the certificate and key come together, a client CA needs both, and
 * every file named is read now, so a missing or unreadable file stops start-up with its key
 * instead of failing the first handshake. Paths come back absolute.
 *
 * @returns `undefined` when no TLS setting is given (plaintext gRPC)
 * @throws AuthFortError `ERR_CONFIG_INVALID` naming the TLS setting at fault
 */
export function resolveTls(settings: SettingsLayer): TlsConfig | undefined {
  const { tlsCert: cert, tlsKey: key, tlsClientCa: clientCa } = settings;
  if (cert === undefined && key === undefined && clientCa === undefined) return undefined;

  if (cert === undefined || key === undefined) {
    const given = (cert ?? key ?? clientCa) as Setting<string>;
    const missing = cert === undefined ? keyLike('tlsCert', given) : keyLike('tlsKey', given);
    const reason =
      given === clientCa
        ? 'mutual TLS needs a server certificate and key'
        : 'a certificate and its key go together';
    throw configError(missing, `${missing} is required when ${given.key} is set: ${reason}`);
  }

  const certPath = checkPemFile(cert, 'CERTIFICATE', 'certificate');
  const keyPath = checkPemFile(key, 'PRIVATE KEY', 'private key');
  if (clientCa === undefined) return { certPath, keyPath };

  const clientCaPath = checkPemFile(clientCa, 'CERTIFICATE', 'CA certificate');
  return { certPath, keyPath, clientCaPath };
}
