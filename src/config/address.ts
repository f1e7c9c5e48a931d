/**
 * Listen addresses: `host:port`, with IPv6 hosts in brackets as in a URL (`[::1]:9001`).
 */
import { isIPv4, isIPv6 } from 'node:net';

import type { ListenAddress } from './service-config.js';
import { configError, got, text, type Reader } from './values.js';

const BRACKETED = /^\[([^\]]+)\]:(\d{1,5})$/;
const PLAIN = /^([^:[\]]+):(\d{1,5})$/;
// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens.
const HOST_NAME = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(?:\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/;

function fail(key: string, value: string): never {
  throw configError(
    key,
    `${key} must be host:port, such as 0.0.0.0:9001 or [::1]:9001, with a port from 0 to ` +
      `65535, ${got(value)}`,
  );
}

/**
 * Parses `host:port`. The host is an IPv4 address, a bracketed IPv6 address or a host name;
 * the port is 0 to 65535 (0: the system picks a free port, as tests do). An unbracketed IPv6
 * address (`::1:9001`) is refused: where it ends and the port begins is a guess.
 */
export function parseListenAddress(value: string, key: string): ListenAddress {
  const bracketed = BRACKETED.exec(value);
  const plain = bracketed === null ? PLAIN.exec(value) : null;
  const match = bracketed ?? plain;
  if (match === null) fail(key, value);

  const host = match[1] as string;
  const port = Number(match[2]);
  if (port > 65535) fail(key, value);

  if (bracketed !== null) {
    if (!isIPv6(host)) fail(key, value);
    return { host, port };
  }

  // All digits and dots but not an IPv4 address (`999.1.1.1`) is a typo, not a host name.
  const valid = /^[\d.]+$/.test(host) ? isIPv4(host) : HOST_NAME.test(host) && host.length <= 253;
  if (!valid) fail(key, value);
  return { host, port };
}

/** Reader of a listen address setting. */
export const listenAddress: Reader<ListenAddress> = text('host:port', parseListenAddress);

/**
 * `host:port` again, the IPv6 host in brackets: the form grpc-js `bindAsync` takes and the
 * form logged.
 */
export function formatListenAddress(address: ListenAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${host}:${address.port}`;
}
