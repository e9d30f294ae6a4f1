import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { freePort, LOOPBACK } from '../net';

export interface DynamoDbLocalOptions {
  /** TCP port; a free one when absent. */
  readonly port?: number;
  /** Folder for the database files; in memory when absent. */
  readonly dataDir?: string;
  /** How long to wait for the first answer. @default 30000 */
  readonly startTimeoutMs?: number;
}

export interface RunningDynamoDbLocal {
  readonly url: string;
  readonly pid: number | undefined;
  close(): Promise<void>;
}

/** Where the DynamoDB Local jar lives: it ships inside the amplify-dynamodb-simulator npm package. */
export function dynamoDbLocalHome(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

/** Starts AWS's DynamoDB Local (Java 17) as a child process bound to loopback. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const home = dynamoDbLocalHome();
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const storage = options.dataDir ? ['-dbPath', resolve(options.dataDir)] : ['-inMemory'];
  const child = spawn(
    'java',
    [
      '-Xms64m',
      '-Xmx512m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(home, 'DynamoDBLocal.jar'),
      '-port',
      String(port),
      '-sharedDb',
      ...storage,
    ],
    { cwd: home, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const spawnFailure = new Promise<never>((_, reject) =>
    child.once('error', (error) =>
      reject(new Error(`could not start java for DynamoDB Local (is Java 17 installed?): ${error.message}`)),
    ),
  );

  // Never leave the JVM behind when this process exits, whatever the reason.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  const url = `http://${LOOPBACK}:${port}`;
  try {
    await Promise.race([
      waitUntilAnswering(url, options.startTimeoutMs ?? 30_000),
      spawnFailure,
      exited.then((code) => {
        throw new Error(`DynamoDB Local exited with code ${code}:\n${output.join('')}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { url, pid: child.pid, close: () => stopChild(child, exited) };
}

async function waitUntilAnswering(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      // DynamoDB Local answers any request once it listens; a 400 for a bare GET is fine.
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`DynamoDB Local did not answer on ${url} within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
