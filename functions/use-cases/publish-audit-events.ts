import type { DayChain } from '../domain/ports';

/** One record of the audit table's stream, as the handler read it. */
export interface AuditStreamRecord {
  /** The record's sequence number: what a partial batch response names for Lambda to retry from. */
  readonly itemIdentifier: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** The item as written (NEW_IMAGE); absent for a REMOVE. */
  readonly newItem?: Readonly<Record<string, unknown>>;
}

/** A stored audit event: an item of a request's chain (`REQ#…` / `EVT#…`), not a day-chain link. */
export interface AuditEventItem {
  readonly pk: string;
  readonly sk: string;
  readonly requestId: string;
  readonly seq: number;
  readonly type: string;
  readonly at: string;
  readonly [field: string]: unknown;
}

/** Where audit events go, and who hears of one that did not get there. */
export interface AuditEventPublishing {
  /** Links each request's first event into its day's chain (off the request path, ADR 0005). */
  readonly days: DayChain;
  /** Told of a first event not linked this time (Lambda retries it): counted and logged, never its body. */
  readonly notLinked: (event: { requestId: string }, reason: string) => void;
  /** The most events one `publish` takes (PutEvents: 10). */
  readonly maxPerPublish: number;
  /** Resolves each event's error code in order, undefined once published; rejects when none was. */
  readonly publish: (events: readonly AuditEventItem[]) => Promise<readonly (string | undefined)[]>;
  /** Told of each event not published this time (Lambda retries it): counted and logged, never its body. */
  readonly notPublished: (event: { eventId: string; requestId: string }, reason: string) => void;
}

/** A partial batch response: the records Lambda must deliver again. */
export interface StreamBatchResult {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

/**
 * For every audit event the table's stream reports written: links each request's first event into
 * its day's chain, then publishes the events in batches of `maxPerPublish`. Answers which records
 * failed either, so that only those (and, the stream being ordered, those after them) come again;
 * both are idempotent (a linked request is not linked twice; consumers deduplicate on `eventId`).
 * Day-chain links and anything else in the table are not events: they are skipped.
 */
export async function publishAuditEvents(
  records: readonly AuditStreamRecord[],
  deps: AuditEventPublishing,
): Promise<StreamBatchResult> {
  const pending = records.flatMap((record) =>
    record.eventName === 'INSERT' && isAuditEvent(record.newItem)
      ? [{ itemIdentifier: record.itemIdentifier, event: record.newItem }]
      : [],
  );
  const failed: { itemIdentifier: string }[] = [];
  for (const { itemIdentifier, event } of pending) {
    if (event.seq !== 1) continue;
    await deps.days
      .link({
        requestId: event.requestId,
        day: event.at.slice(0, 10),
        at: event.at,
        hash: String(event.hash),
      })
      .catch((error: unknown) => {
        deps.notLinked({ requestId: event.requestId }, error instanceof Error ? error.name : 'Error');
        failed.push({ itemIdentifier });
      });
  }
  for (let start = 0; start < pending.length; start += deps.maxPerPublish) {
    const batch = pending.slice(start, start + deps.maxPerPublish);
    const outcomes = await deps
      .publish(batch.map(({ event }) => event))
      .catch((error: unknown) => batch.map(() => (error instanceof Error ? error.name : 'Error')));
    batch.forEach(({ itemIdentifier, event }, index) => {
      const reason = outcomes[index];
      if (reason === undefined) return;
      deps.notPublished({ eventId: `${event.requestId}/${event.seq}`, requestId: event.requestId }, reason);
      if (!failed.some((record) => record.itemIdentifier === itemIdentifier)) failed.push({ itemIdentifier });
    });
  }
  return { batchItemFailures: failed };
}

/** True for an item of a request's chain: the audit log writes these as `REQ#<id>` / `EVT#<seq>`. */
export function isAuditEvent(item: Readonly<Record<string, unknown>> | undefined): item is AuditEventItem {
  return (
    item !== undefined &&
    typeof item.pk === 'string' &&
    item.pk.startsWith('REQ#') &&
    typeof item.sk === 'string' &&
    item.sk.startsWith('EVT#') &&
    typeof item.requestId === 'string' &&
    typeof item.seq === 'number' &&
    typeof item.type === 'string' &&
    typeof item.at === 'string'
  );
}
