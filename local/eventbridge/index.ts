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

/** A rule on the local bus: events it matches go to its target (a Lambda function, locally invoked). */
export interface LocalRule {
  readonly matches: (event: { source: string; detailType: string; detail: unknown }) => boolean;
  readonly deliver: (event: unknown) => Promise<unknown>;
}

/**
 * A local stand-in for an EventBridge bus: it answers PutEvents as AWS does (JSON 1.1, per-entry
 * validation, FailedEntryCount) and records what it accepted, viewable at GET /events. Events AWS
 * services send on their own (Step Functions' execution status changes) come in through `emit`, and
 * rules deliver matching events to their targets, retried as EventBridge retries a Lambda target.
 */
export async function startEventRecorder(rules: readonly LocalRule[] = []) {
  const events: RecordedEvent[] = [];
  const deliveries = new Set<Promise<void>>();

  /** Records an event sent by an AWS service, and delivers it to the rules that match it. */
  function emit(event: { id: string; time: string; source: string; 'detail-type': string; detail: unknown }) {
    const recorded = {
      id: event.id,
      time: event.time,
      eventBusName: 'default',
      source: event.source,
      detailType: event['detail-type'],
      detail: event.detail,
    };
    events.push(recorded);
    for (const rule of rules) {
      if (!rule.matches(recorded)) continue;
      const delivery = deliverWithRetries(rule, event).finally(() => deliveries.delete(delivery));
      deliveries.add(delivery);
    }
  }
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
  return {
    url,
    events,
    emit,
    close: async () => {
      await Promise.allSettled([...deliveries]);
      await close(server);
    },
  };
}

// EventBridge retries a failed Lambda target with backoff (up to 185 times over 24 h by default);
// locally a few quick retries show the same at-least-once behaviour.
async function deliverWithRetries(rule: LocalRule, event: unknown) {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      await rule.deliver(event);
      return;
    } catch (error) {
      console.error(
        JSON.stringify({
          level: 'error',
          message: 'event target failed; retrying',
          errorName: (error as Error).name,
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  }
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
