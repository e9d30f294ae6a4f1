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

/** The most entries one PutEvents takes. */
export const MAX_EVENTS_PER_PUT = 10;

/**
 * Publishes up to 10 audit events in one PutEvents, the detail type being the event type. Resolves
 * each event's error code in order (undefined once the bus accepted it); rejects when the call itself
 * failed, and then none was published.
 */
export function createEventPublisher(eventBridge: EventBridgeClient, eventBusName: string) {
  return async (events: readonly object[]): Promise<readonly (string | undefined)[]> => {
    if (events.length === 0) return [];
    if (events.length > MAX_EVENTS_PER_PUT) {
      throw new RangeError(`PutEvents takes at most ${MAX_EVENTS_PER_PUT} entries, not ${events.length}`);
    }
    const details = events.map(publishedDetail);
    const result = await eventBridge.send(
      new PutEventsCommand({
        Entries: details.map((detail) => ({
          EventBusName: eventBusName,
          Source: EVENT_SOURCE,
          DetailType: detail.type,
          Time: new Date(detail.at),
          Detail: JSON.stringify(detail),
        })),
      }),
    );
    return details.map((_, index) => {
      const entry = result.Entries?.[index];
      return entry?.EventId ? undefined : (entry?.ErrorCode ?? 'NoResultEntry');
    });
  };
}

export type EventPublisher = ReturnType<typeof createEventPublisher>;
