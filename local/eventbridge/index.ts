import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { close, createServer, listen } from '../net';

/** One event as the local bus received it. */
export interface RecordedEvent {
  readonly id: string;
  readonly time: string;
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
}

const MAX_ENTRIES = 10;
const MAX_ENTRY_BYTES = 256 * 1024;

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Time?: number | string;
}

/**
 * A local stand-in for an EventBridge bus: it answers PutEvents as AWS does (JSON 1.1, per-entry
 * validation, FailedEntryCount) and records what it accepted, viewable at GET /events.
 */
export async function startEventRecorder() {
  const events: RecordedEvent[] = [];
  const server = createServer((request, response) => {
    handle(request, response).catch(() =>
      answer(response, 500, { __type: 'InternalException', message: 'internal error' }),
    );
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    if (request.method === 'GET' && request.url?.startsWith('/health'))
      return answer(response, 200, { ok: true });
    if (request.method === 'GET' && request.url?.startsWith('/events'))
      return answer(response, 200, { events });
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
      return answer(response, 400, {
        __type: 'UnknownOperationException',
        message: 'only PutEvents is emulated',
      });
    }
    let body: { Entries?: PutEventsEntry[] };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return answer(response, 400, { __type: 'SerializationException', message: 'body is not JSON' });
    }
    const entries = body.Entries ?? [];
    if (entries.length < 1 || entries.length > MAX_ENTRIES) {
      return answer(response, 400, {
        __type: 'ValidationException',
        message: `Entries must hold 1 to ${MAX_ENTRIES} entries`,
      });
    }
    const results = entries.map((entry) => {
      const problem = !entry.Source
        ? 'Parameter Source is not valid.'
        : !entry.DetailType
          ? 'Parameter DetailType is not valid.'
          : !isJsonObject(entry.Detail)
            ? 'Parameter Detail is not valid.'
            : Buffer.byteLength(JSON.stringify(entry)) > MAX_ENTRY_BYTES
              ? 'Entry is too large.'
              : undefined;
      if (problem) return { ErrorCode: 'MalformedDetail', ErrorMessage: problem };
      const id = randomUUID();
      events.push({
        id,
        time: entry.Time
          ? new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time).toISOString()
          : new Date().toISOString(),
        eventBusName: entry.EventBusName ?? 'default',
        source: entry.Source as string,
        detailType: entry.DetailType as string,
        detail: JSON.parse(entry.Detail as string),
      });
      return { EventId: id };
    });
    return answer(response, 200, {
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
      Entries: results,
    });
  }

  const url = await listen(server);
  return { url, events, close: () => close(server) };
}

function isJsonObject(text: string | undefined): boolean {
  if (!text) return false;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function answer(response: ServerResponse, status: number, body: unknown) {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify(body));
}
