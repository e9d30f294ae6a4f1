import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import sesModule from 'aws-ses-v2-local';
import { close, createServer, LOOPBACK, listen } from '../net';

// A CommonJS module with `exports.default`: Node's ESM loader hands over the exports object, bundlers the function.
const startSesServer =
  (sesModule as unknown as { default?: typeof sesModule }).default ?? (sesModule as typeof sesModule);

export interface SesLocalOptions {
  /** TCP port; a free one when absent. */
  readonly port?: number;
  /** Identities (addresses or domains) verified for sending from the start. @default none */
  readonly verifiedIdentities?: readonly string[];
  /** An account still in the SES sandbox: only verified recipients receive mail. @default false */
  readonly sandbox?: boolean;
}

export interface RunningSesLocal {
  /** SES v2 endpoint for the SDK (`SESv2Client({ endpoint })`); its root page is the mailbox viewer. */
  readonly url: string;
  close(): Promise<void>;
}

interface Identity {
  readonly type: 'DOMAIN' | 'EMAIL_ADDRESS';
  status: 'PENDING' | 'SUCCESS';
}

/** The SES account's daily quota and rate as a new account out of the sandbox gets them by default. */
const PRODUCTION_QUOTA = { Max24HourSend: 50_000, MaxSendRate: 14 };
const SANDBOX_QUOTA = { Max24HourSend: 200, MaxSendRate: 1 };
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * SES v2 on loopback: aws-ses-v2-local keeps and shows the mail (`GET {url}/store`, `GET {url}/`),
 * and a front in this file answers what it lacks as SES does: the account (GetAccount: sandbox,
 * quota, mail sent in the last 24 hours), email identities (CreateEmailIdentity, GetEmailIdentity)
 * and SendEmail's refusal of a sender, or in the sandbox a recipient, that is not verified.
 */
export async function startSesLocal(options: SesLocalOptions = {}): Promise<RunningSesLocal> {
  const inner: Server = await startSesServer({ host: LOOPBACK, port: 0 });
  const innerAddress = inner.address();
  if (innerAddress === null || typeof innerAddress === 'string')
    throw new Error('SES emulator has no TCP address');
  const innerUrl = `http://${LOOPBACK}:${innerAddress.port}`;
  const identities = new Map<string, Identity>();
  for (const name of options.verifiedIdentities ?? [])
    identities.set(name.toLowerCase(), identityFor(name, 'SUCCESS'));
  const sandbox = options.sandbox ?? false;
  const sent: number[] = [];

  const verified = (address: string) => {
    const lower = address.toLowerCase();
    const domain = lower.split('@')[1] ?? '';
    return identities.get(lower)?.status === 'SUCCESS' || identities.get(domain)?.status === 'SUCCESS';
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://local');
    const body = await readBody(request);
    const identityPath = /^\/v2\/email\/identities\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'GET' && url.pathname === '/v2/email/account') {
      const now = Date.now();
      while (sent.length > 0 && (sent[0] ?? now) < now - DAY_MS) sent.shift();
      return json(response, 200, {
        DedicatedIpAutoWarmupEnabled: false,
        EnforcementStatus: 'HEALTHY',
        ProductionAccessEnabled: !sandbox,
        SendingEnabled: true,
        SendQuota: { ...(sandbox ? SANDBOX_QUOTA : PRODUCTION_QUOTA), SentLast24Hours: sent.length },
      });
    }
    if (request.method === 'POST' && url.pathname === '/v2/email/identities') {
      const name = String((parse(body) as { EmailIdentity?: unknown }).EmailIdentity ?? '');
      if (!name) return error(response, 400, 'BadRequestException', 'EmailIdentity is required');
      if (identities.has(name.toLowerCase())) {
        return error(response, 400, 'AlreadyExistsException', `Email identity ${name} already exist.`);
      }
      // A new identity waits for its DNS records (domain) or its link to be followed (address).
      const identity = identityFor(name, 'PENDING');
      identities.set(name.toLowerCase(), identity);
      return json(response, 200, { IdentityType: identity.type, VerifiedForSendingStatus: false });
    }
    if (request.method === 'GET' && identityPath) {
      const name = decodeURIComponent(identityPath[1] ?? '');
      const identity = identities.get(name.toLowerCase());
      if (!identity)
        return error(response, 404, 'NotFoundException', `Email identity ${name} does not exist.`);
      return json(response, 200, {
        IdentityType: identity.type,
        FeedbackForwardingStatus: true,
        VerifiedForSendingStatus: identity.status === 'SUCCESS',
        VerificationStatus: identity.status,
        DkimAttributes: { SigningEnabled: identity.type === 'DOMAIN', Status: identity.status },
      });
    }
    if (request.method === 'POST' && url.pathname === '/v2/email/outbound-emails') {
      const message = parse(body) as {
        FromEmailAddress?: string;
        Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
      };
      const from = addressOf(String(message.FromEmailAddress ?? ''));
      const recipients = [
        ...(message.Destination?.ToAddresses ?? []),
        ...(message.Destination?.CcAddresses ?? []),
        ...(message.Destination?.BccAddresses ?? []),
      ].map(addressOf);
      const refused = [from, ...(sandbox ? recipients : [])].filter((address) => !verified(address));
      if (refused.length > 0) {
        return error(
          response,
          400,
          'MessageRejected',
          `Email address is not verified. The following identities failed the check in region US-EAST-1: ${refused.join(', ')}`,
        );
      }
      const forwarded = await forward(innerUrl, request, body);
      if (forwarded.status === 200) sent.push(Date.now());
      return relay(response, forwarded);
    }
    return relay(response, await forward(innerUrl, request, body));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((failure: unknown) =>
      error(response, 500, 'InternalFailure', failure instanceof Error ? failure.message : String(failure)),
    );
  });
  const url = await listen(server, options.port ?? 0);
  return {
    url,
    close: async () => {
      await close(server);
      await close(inner);
    },
  };
}

const identityFor = (name: string, status: Identity['status']): Identity => ({
  type: name.includes('@') ? 'EMAIL_ADDRESS' : 'DOMAIN',
  status,
});

/** `Name <a@b>` → `a@b`. */
const addressOf = (text: string) => (text.match(/<([^>]+)>/)?.[1] ?? text).trim();

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8') || '{}');
  } catch {
    return {};
  }
}

interface Forwarded {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

async function forward(innerUrl: string, request: IncomingMessage, body: Buffer): Promise<Forwarded> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || ['host', 'connection', 'content-length', 'transfer-encoding'].includes(name))
      continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const method = request.method ?? 'GET';
  const answer = await fetch(`${innerUrl}${request.url ?? '/'}`, {
    method,
    headers,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: new Uint8Array(body) }),
  });
  return { status: answer.status, headers: answer.headers, body: Buffer.from(await answer.arrayBuffer()) };
}

function relay(response: ServerResponse, forwarded: Forwarded): void {
  response.statusCode = forwarded.status;
  const type = forwarded.headers.get('content-type');
  if (type) response.setHeader('content-type', type);
  response.end(forwarded.body);
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json');
  response.setHeader('x-amzn-requestid', crypto.randomUUID());
  response.end(JSON.stringify(body));
}

function error(response: ServerResponse, status: number, type: string, message: string): void {
  if (response.headersSent) return;
  response.setHeader('x-amzn-errortype', type);
  json(response, status, { message });
}
