import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DayLink } from '../domain/audit-verify';
import type { StoredAuditEvent } from './audit-log';
import { DAY_SHARDS, dayChainKey } from './day-chain';

/** Who or what the events are about; `from`/`to` are ISO times, inclusive. */
export interface AuditQuery {
  readonly requestId?: string;
  readonly username?: string;
  readonly userSub?: string;
  readonly type?: string;
  readonly from: string;
  readonly to: string;
}

/** Where a paged read stopped: the day being read (day ranges) and DynamoDB's last key. */
export interface AuditCursor {
  readonly day?: string;
  readonly key: Record<string, string | number>;
}

const DAY_MS = 86_400_000;

/** The days from `to` back to `from` (newest first), as yyyy-mm-dd. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const first = Date.parse(from.slice(0, 10));
  for (let t = Date.parse(to.slice(0, 10)); t >= first; t -= DAY_MS)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** Reads the audit table for auditors; never writes. */
export function createAuditReader(db: DynamoDBDocumentClient, tableName: string) {
  async function all<T>(input: QueryCommandInput): Promise<T[]> {
    const items: T[] = [];
    let key: Record<string, unknown> | undefined;
    do {
      const page = await db.send(new QueryCommand({ ...input, ExclusiveStartKey: key }));
      items.push(...((page.Items ?? []) as T[]));
      key = page.LastEvaluatedKey;
    } while (key);
    return items;
  }

  /** The query for one partition of events (a request, a user, or one day), newest first. */
  function eventQuery(query: AuditQuery, day?: string): QueryCommandInput {
    const range = { ':from': query.from, ':to': query.to };
    const typeFilter = query.type
      ? { FilterExpression: '#type = :type', ExpressionAttributeNames: { '#type': 'type' } }
      : {};
    const typeValue = query.type ? { ':type': query.type } : {};
    if (query.requestId) {
      return {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)',
        ExpressionAttributeValues: { ':pk': `REQ#${query.requestId}`, ':evt': 'EVT#', ...typeValue },
        ScanIndexForward: false,
        ...typeFilter,
      };
    }
    const [indexName, field, value] = query.username
      ? ['byUser', 'userKey', `USER#${query.username.toLowerCase()}`]
      : query.userSub
        ? ['byUserSub', 'userSub', query.userSub]
        : ['byDay', 'day', day ?? ''];
    return {
      TableName: tableName,
      IndexName: indexName,
      KeyConditionExpression: '#key = :key AND #at BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#key': field, '#at': 'at', ...(query.type ? { '#type': 'type' } : {}) },
      ExpressionAttributeValues: { ':key': value, ...range, ...typeValue },
      ScanIndexForward: false,
      ...(query.type ? { FilterExpression: '#type = :type' } : {}),
    };
  }

  return {
    /** One page of events, newest first; `cursor` continues where the last page stopped. */
    async page(query: AuditQuery, limit: number, cursor?: AuditCursor) {
      const byDay = !query.requestId && !query.username && !query.userSub;
      const days: (string | undefined)[] = byDay ? daysBetween(query.from, query.to) : [undefined];
      let dayIndex = cursor?.day ? Math.max(0, days.indexOf(cursor.day)) : 0;
      let key: Record<string, unknown> | undefined =
        cursor && Object.keys(cursor.key).length > 0 ? cursor.key : undefined;
      const items: StoredAuditEvent[] = [];
      while (dayIndex < days.length && items.length < limit) {
        const day = days[dayIndex];
        const page = await db.send(
          new QueryCommand({
            ...eventQuery(query, day),
            Limit: limit - items.length,
            ExclusiveStartKey: key,
          }),
        );
        items.push(...((page.Items ?? []) as StoredAuditEvent[]));
        key = page.LastEvaluatedKey;
        if (!key) dayIndex += 1;
      }
      const more = key !== undefined || dayIndex < days.length;
      const next: AuditCursor | undefined = more
        ? { ...(byDay ? { day: days[dayIndex] } : {}), key: (key ?? {}) as AuditCursor['key'] }
        : undefined;
      return { items, next };
    },

    /** Every event of the query, newest first, a page at a time: memory stays bounded whatever the range. */
    async *stream(query: AuditQuery, pageSize = 500): AsyncGenerator<StoredAuditEvent> {
      let cursor: AuditCursor | undefined;
      do {
        const { items, next } = await this.page(query, pageSize, cursor);
        yield* items;
        cursor = next;
      } while (cursor);
    },

    /** A request's whole chain, in order, read consistently. */
    requestChain: (requestId: string) =>
      all<StoredAuditEvent>({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)',
        ExpressionAttributeValues: { ':pk': `REQ#${requestId}`, ':evt': 'EVT#' },
        ConsistentRead: true,
      }),

    /** Every shard of a day's chain. */
    async dayLinks(day: string): Promise<DayLink[]> {
      const shards = await Promise.all(
        Array.from({ length: DAY_SHARDS }, (_, shard) =>
          all<DayLink>({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :link)',
            ExpressionAttributeValues: { ':pk': dayChainKey(day, shard), ':link': 'LINK#' },
            ConsistentRead: true,
          }),
        ),
      );
      return shards.flat();
    },

    /** The first event of every request stored under `day` (from the byDay index). */
    async firstEventsOfDay(day: string): Promise<Map<string, { hash: string; at: string }>> {
      const firsts = await all<StoredAuditEvent>({
        TableName: tableName,
        IndexName: 'byDay',
        KeyConditionExpression: '#day = :day',
        FilterExpression: 'seq = :one',
        ExpressionAttributeNames: { '#day': 'day' },
        ExpressionAttributeValues: { ':day': day, ':one': 1 },
      });
      return new Map(firsts.map((event) => [event.requestId, { hash: event.hash, at: event.at }]));
    },
  };
}

export type AuditReader = ReturnType<typeof createAuditReader>;
