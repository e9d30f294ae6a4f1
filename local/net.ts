import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';

/** Loopback only: the local stack never listens on a routable interface. */
export const LOOPBACK = '127.0.0.1';

/** Asks the OS for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not read the free port');
  return address.port;
}

/** Starts an http server on loopback and resolves with its base URL. */
export async function listen(server: Server, port = 0): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return `http://${LOOPBACK}:${address.port}`;
}

/** Closes an http server, dropping idle keep-alive sockets so shutdown is prompt. */
export async function close(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export { createServer };
