import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { close, createServer, listen } from '../net';

/** One text message as a phone would receive it. */
export interface RecordedSms {
  readonly to: string;
  readonly text: string;
  readonly at: string;
}

export interface RunningSmsRecorder {
  /** SNS endpoint for the SDK; `GET {url}/messages` lists every text sent, as JSON. */
  readonly url: string;
  close(): Promise<void>;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';

/**
 * Amazon SNS's `Publish` to a phone number (the AWS Query protocol, XML answers), recording each
 * text instead of sending it: the local stand-in for SMS, as the mailbox is for email.
 */
export async function startSmsRecorder(): Promise<RunningSmsRecorder> {
  const messages: RecordedSms[] = [];

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://local');
    if (request.method === 'GET' && url.pathname === '/messages') {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ messages }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const action = form.get('Action');
    if (request.method !== 'POST' || action !== 'Publish') {
      return fail(
        response,
        400,
        'InvalidAction',
        `The action ${action ?? '(none)'} is not valid for this endpoint.`,
      );
    }
    const phone = form.get('PhoneNumber') ?? '';
    const text = form.get('Message') ?? '';
    if (!E164.test(phone))
      return fail(response, 400, 'InvalidParameter', 'Invalid parameter: PhoneNumber Reason: not E.164');
    if (!text || text.length > 1600)
      return fail(response, 400, 'InvalidParameter', 'Invalid parameter: Message');
    messages.push({ to: phone, text, at: new Date().toISOString() });
    response.setHeader('content-type', 'text/xml');
    response.end(
      `<PublishResponse xmlns="${NAMESPACE}"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => fail(response, 500, 'InternalError', 'internal error'));
  });
  const url = await listen(server, 0);
  return { url, close: () => close(server) };
}

function fail(response: ServerResponse, status: number, code: string, message: string) {
  if (response.headersSent) return;
  response.statusCode = status;
  response.setHeader('content-type', 'text/xml');
  response.end(
    `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}
