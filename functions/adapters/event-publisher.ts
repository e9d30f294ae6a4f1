import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';

/** `source` of every event the product publishes. */
export const EVENT_SOURCE = 'cognito-totp-recovery';
/** Version of the `detail` schema (docs/events.md, docs/events.schema.json). */
export const EVENT_SCHEMA_VERSION = 1;

/** An audit event as published: the stored record without its table keys, plus the schema version. */
export interface PublishedDetail {
  readonly schemaVersion: typeof EVENT_SCHEMA_VERSION;
  readonly eventId: string;
  readonly requestId: string;
  readonly seq: number;
  readonly type: string;
  readonly at: string;
  readonly actor: string;
  readonly [field: string]: unknown;
}

/**
 * The published form of a stored audit event: every field its hash covers (`userKey` included, though
 * it is the byUser index key), so that a SIEM can recompute the hash from the event alone
 * (docs/events.md); only the table keys `pk` and `sk` are left out.
 */
export function publishedDetail(event: object): PublishedDetail {
  const { pk: _pk, sk: _sk, ...body } = event as Record<string, unknown>;
  return {
    schemaVersion: EVENT_SCHEMA_VERSION,
    eventId: `${String(body.requestId)}/${String(body.seq)}`,
    ...body,
  } as PublishedDetail;
}

/** Publishes audit events to the bus, one PutEvents entry each; the detail type is the event type. */
export function createEventPublisher(eventBridge: EventBridgeClient, eventBusName: string) {
  return async (event: object): Promise<void> => {
    const detail = publishedDetail(event);
    const result = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: eventBusName,
            Source: EVENT_SOURCE,
            DetailType: detail.type,
            Time: new Date(detail.at),
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    if ((result.FailedEntryCount ?? 0) > 0) {
      throw new Error(`PutEvents refused the entry: ${result.Entries?.[0]?.ErrorCode ?? 'unknown'}`);
    }
  };
}

export type EventPublisher = ReturnType<typeof createEventPublisher>;
