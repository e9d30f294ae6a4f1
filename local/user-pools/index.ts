import type { IncomingMessage, ServerResponse } from 'node:http';
import { close, createServer, listen } from '../net';
import { adminOperations } from './admin-operations';
import { authOperations } from './auth-operations';
import { type Body, EmulatorContext, type Operation } from './context';
import { CognitoError } from './errors';
import { passwordOperations, type SendEmail } from './password-operations';
import { loadState, saveState } from './state';
import { threatProtectionOperations } from './threat-protection';
import { jwks } from './tokens';

export interface CognitoEmulatorOptions {
  /** TCP port; a free one when absent or 0. */
  readonly port?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** JSON file to load at start and save after each change (`npm start -- --persist`). */
  readonly dataFile?: string;
  /** Operations answered as unknown, to emulate a region without them (e.g. AdminDeleteSoftwareToken). */
  readonly disabledOperations?: readonly string[];
  /** Where ForgotPassword's code goes, as Cognito's default email would (locally: the mailbox). */
  readonly sendEmail?: SendEmail;
}

export interface RunningCognitoEmulator {
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

/** Starts the Cognito user pools emulator (AWS JSON 1.1 protocol) on loopback. */
export async function startCognitoEmulator(
  options: CognitoEmulatorOptions = {},
): Promise<RunningCognitoEmulator> {
  const state = loadState(options.dataFile);
  let saveTimer: NodeJS.Timeout | undefined;
  const persist = () => {
    if (!options.dataFile || saveTimer) return;
    const file = options.dataFile;
    saveTimer = setTimeout(() => {
      saveTimer = undefined;
      saveState(file, state);
    }, 50);
  };
  const ctx = new EmulatorContext(state, options.region ?? 'us-east-1', persist);
  const disabled = new Set(options.disabledOperations ?? []);
  const operations: Record<string, Operation> = {
    ...adminOperations(ctx),
    ...authOperations(ctx),
    ...passwordOperations(ctx, options.sendEmail),
    ...threatProtectionOperations(ctx),
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const failure =
        error instanceof CognitoError
          ? error
          : new CognitoError('InternalErrorException', 'internal error', 500);
      answer(response, failure.status, { __type: failure.name, message: failure.message }, failure.name);
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://local');
    // Browsers call Cognito's public operations (InitiateAuth, ...) cross-origin, as the real service allows.
    response.setHeader('access-control-allow-origin', '*');
    if (request.method === 'OPTIONS') {
      response.setHeader('access-control-allow-methods', 'POST');
      response.setHeader('access-control-allow-headers', 'content-type, x-amz-target, x-amz-user-agent');
      response.setHeader('access-control-max-age', '600');
      response.statusCode = 204;
      response.end();
      return;
    }
    if (request.method === 'GET') {
      if (url.pathname === '/health') return answer(response, 200, { ok: true });
      const match = /^\/([\w-]+_[0-9A-Za-z]+)\/\.well-known\/jwks\.json$/.exec(url.pathname);
      const pool = match?.[1] ? state.pools[match[1]] : undefined;
      if (pool) return answer(response, 200, jwks(pool.signingKey));
      return answer(response, 404, { message: 'Not Found' });
    }
    const target = String(request.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const operation = Object.hasOwn(operations, name) && !disabled.has(name) ? operations[name] : undefined;
    const body = await readBody(request);
    if (!operation)
      throw new CognitoError('UnknownOperationException', `Unknown operation ${name || target}`);
    const userAgent = request.headers['user-agent'];
    const result = await operation(body, {
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      ...(userAgent ? { userAgent } : {}),
    });
    return answer(response, 200, result ?? {});
  }

  const url = await listen(server, options.port ?? 0);
  return {
    url,
    close: async () => {
      if (saveTimer && options.dataFile) {
        clearTimeout(saveTimer);
        saveState(options.dataFile, state);
      }
      await close(server);
    },
  };
}

async function readBody(request: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new CognitoError('SerializationException', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CognitoError('SerializationException', 'The request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CognitoError('SerializationException', 'The request body must be a JSON object');
  }
  return value as Body;
}

function answer(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  if (response.headersSent) return;
  response.statusCode = status;
  response.setHeader('content-type', 'application/x-amz-json-1.1');
  response.setHeader('x-amzn-requestid', crypto.randomUUID());
  if (errorType) response.setHeader('x-amzn-errortype', errorType);
  response.end(JSON.stringify(body));
}
