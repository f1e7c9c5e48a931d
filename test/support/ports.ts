import net from 'node:net';

/**
 * Free TCP ports on 127.0.0.1, for programs that cannot bind port 0 themselves. All sockets of
 * one call stay open until every port is known, so a call never returns the same port twice.
 * Another process may still take a port between this call and the program's bind; the window
 * is a few milliseconds and the program then fails to start with its own "address in use".
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listenOnAnyPort());
    return servers.map((server) => (server.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map(closeServer));
  }
}

/** One free TCP port on 127.0.0.1; see {@link freePorts}. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

function listenOnAnyPort(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve(server));
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
