import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { CHAIN_VERSION, GENESIS_HASH } from '../domain/audit-chain';
import { type DayLink, dayLinkHash } from '../domain/audit-verify';
import type { FirstEvent } from '../domain/ports';

/** Day chains are split in shards, so requests linked at the same moment rarely contend. */
export const DAY_SHARDS = 4;
export const dayChainKey = (day: string, shard: number) => `DAY#${day}#${shard}`;
export const dayShardOf = (requestId: string) =>
  [...requestId].reduce((sum, char) => sum + char.charCodeAt(0), 0) % DAY_SHARDS;
/** The marker that a request is linked (in its own partition, so a redelivered record links it once). */
export const DAY_LINK_MARKER_SK = 'DAYLINK';

// Two stream consumers may link into the same shard at once: the loser re-reads the head and retries.
const MAX_LINK_ATTEMPTS = 20;
// The heads this process linked last, so a batch's links into one shard read the head once.
const HEADS_KEPT = 64;

type Head = { readonly seq: number; readonly hash: string };

/**
 * The day chains: each request's first event is linked, once, into a chain of its day (one of
 * DAY_SHARDS), so that `verify` notices a whole request deleted afterwards (REQUEST_MISSING). Linked
 * from the audit table's stream, off the request path (ADR 0005): no request waits for a day's chain.
 */
export function createDayChain(db: DynamoDBDocumentClient, tableName: string) {
  const heads = new Map<string, Head>();

  async function readHead(day: string, shard: number): Promise<Head> {
    const result = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :link)',
        ExpressionAttributeValues: { ':pk': dayChainKey(day, shard), ':link': 'LINK#' },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const last = result.Items?.[0] as DayLink | undefined;
    return { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH };
  }

  function remember(key: string, head: Head) {
    heads.delete(key);
    heads.set(key, head);
    if (heads.size > HEADS_KEPT) heads.delete(heads.keys().next().value as string);
  }

  /**
   * Links `first` after the shard's head, with the request's marker, in one transaction. Resolves
   * 'linked', 'already' (the marker exists: a redelivered record) or 'contended' (another link took
   * the place: read the head again).
   */
  async function tryLink(first: FirstEvent, shard: number, head: Head) {
    const link = {
      linkDay: first.day,
      shard,
      seq: head.seq + 1,
      requestId: first.requestId,
      firstHash: first.hash,
      at: first.at,
      chainVersion: CHAIN_VERSION,
    };
    const hash = dayLinkHash(link, head.hash);
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: {
                  pk: dayChainKey(first.day, shard),
                  sk: `LINK#${String(link.seq).padStart(8, '0')}`,
                  ...link,
                  prevHash: head.hash,
                  hash,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: tableName,
                // No `day` or `userSub`: the marker stays out of the byDay and by-sub indexes.
                Item: {
                  pk: `REQ#${first.requestId}`,
                  sk: DAY_LINK_MARKER_SK,
                  linkDay: first.day,
                  shard,
                  linkSeq: link.seq,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return { outcome: 'linked' as const, head: { seq: link.seq, hash } };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [linkReason, markerReason] = error.CancellationReasons ?? [];
      if (markerReason?.Code === 'ConditionalCheckFailed') return { outcome: 'already' as const };
      if (linkReason?.Code === 'ConditionalCheckFailed' || linkReason?.Code === 'TransactionConflict') {
        return { outcome: 'contended' as const };
      }
      if (markerReason?.Code === 'TransactionConflict') return { outcome: 'contended' as const };
      throw error;
    }
  }

  return {
    /** Links a request's first event into its day's chain; a request already linked is left as it is. */
    async link(first: FirstEvent): Promise<'linked' | 'already'> {
      const shard = dayShardOf(first.requestId);
      const key = dayChainKey(first.day, shard);
      for (let attempt = 0; attempt < MAX_LINK_ATTEMPTS; attempt += 1) {
        const head = (attempt === 0 ? heads.get(key) : undefined) ?? (await readHead(first.day, shard));
        const tried = await tryLink(first, shard, head);
        if (tried.outcome === 'already') return 'already';
        if (tried.outcome === 'linked') {
          remember(key, tried.head);
          return 'linked';
        }
        heads.delete(key);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** Math.min(attempt, 4)));
      }
      throw new Error(`day chain ${key} stayed contended after ${MAX_LINK_ATTEMPTS} attempts`);
    },
  };
}

export type DayChain = ReturnType<typeof createDayChain>;
