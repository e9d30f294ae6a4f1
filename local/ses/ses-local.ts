import type { Server } from 'node:http';
import sesModule from 'aws-ses-v2-local';
import { close, LOOPBACK } from '../net';

// A CommonJS module with `exports.default`: Node's ESM loader hands over the exports object, bundlers the function.
const startSesServer =
  (sesModule as unknown as { default?: typeof sesModule }).default ?? (sesModule as typeof sesModule);

export interface SesLocalOptions {
  /** TCP port; a free one when absent. */
  readonly port?: number;
}

export interface RunningSesLocal {
  /** SES v2 endpoint for the SDK (`SESv2Client({ endpoint })`); its root page is the mailbox viewer. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts aws-ses-v2-local on loopback. It keeps mail in memory only: `GET {url}/store` lists it,
 * `GET {url}/` shows it to a person.
 */
export async function startSesLocal(options: SesLocalOptions = {}): Promise<RunningSesLocal> {
  const server: Server = await startSesServer({ host: LOOPBACK, port: options.port ?? 0 });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('SES emulator has no TCP address');
  return { url: `http://${LOOPBACK}:${address.port}`, close: () => close(server) };
}
