import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { CHAIN_VERSION, type ChainVersion, chainHash, GENESIS_HASH, wellFormed } from '../domain/audit-chain';
import type { AuditEventInput, PendingWrite } from '../domain/ports';
import type { TerminalOutcome } from '../domain/recovery-state';

export type { TerminalOutcome };

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * One conditional write that must commit together with an audit event (a state transition): a
 * DynamoDB transaction item here, the opaque PendingWrite of domain/ports.ts to the use cases.
 */
export type ConditionalWrite = PendingWrite;

/** A store's transaction item, handed to use cases as a PendingWrite. */
export const pendingWrite = (item: TransactItem): PendingWrite => item as unknown as PendingWrite;
const transactItemOf = (write: PendingWrite): TransactItem => write as unknown as TransactItem;

export type { AuditEventInput };

export interface StoredAuditEvent extends AuditEventInput {
  readonly pk: string;
  readonly sk: string;
  readonly seq: number;
  readonly at: string;
  readonly day: string;
  readonly userKey?: string;
  /** How the hash was computed (domain/audit-chain.ts); absent on records written before versions. */
  readonly chainVersion?: ChainVersion;
  readonly prevHash: string;
  readonly hash: string;
}

// A chain is contended when many writers append at once (50 parallel repeats of one user's request
// append to the active request's chain): losers back off with jitter and link after the winner.
const MAX_APPEND_ATTEMPTS = 40;
const backOff = (attempt: number) =>
  new Promise((resolve) =>
    setTimeout(resolve, Math.random() * Math.min(250, 10 * 2 ** Math.min(attempt, 5))),
  );

/**
 * Append-only, hash-chained audit events per request. Each append reads the chain's last link and
 * writes the next one with `attribute_not_exists`, so two writers can never fork a chain: the loser
 * re-reads and links after the winner.
 */
export function createAuditLog(
  db: DynamoDBDocumentClient,
  tableName: string,
  clock: () => Date,
  /** Told of every event once it is written: the business metrics are counted from the audit trail. */
  observe?: (event: StoredAuditEvent) => void,
) {
  async function lastLink(requestId: string) {
    const result = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)',
        ExpressionAttributeValues: { ':pk': `REQ#${requestId}`, ':evt': 'EVT#' },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const last = result.Items?.[0] as StoredAuditEvent | undefined;
    return { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH, ended: last?.terminal !== undefined };
  }

  function build(input: AuditEventInput, link: { seq: number; hash: string }): StoredAuditEvent {
    const at = clock().toISOString();
    const seq = link.seq + 1;
    const body = wellFormed({
      requestId: input.requestId,
      seq,
      type: input.type,
      at,
      day: at.slice(0, 10),
      actor: input.actor,
      username: input.username,
      userKey: input.username ? `USER#${input.username.toLowerCase()}` : undefined,
      userSub: input.userSub,
      sourceIp: input.sourceIp,
      userAgent: input.userAgent,
      outcome: input.outcome,
      reasons: input.reasons ? [...input.reasons] : undefined,
      details: input.details ? { ...input.details } : undefined,
      terminal: input.terminal,
      chainVersion: CHAIN_VERSION,
      prevHash: link.hash,
    });
    return {
      ...body,
      pk: `REQ#${input.requestId}`,
      sk: `EVT#${String(seq).padStart(6, '0')}`,
      hash: chainHash(stripUndefined(body), link.hash),
    };
  }

  /**
   * Writes the event together with `alsoWrite`, all with conditions (a request's first event is linked
   * into its day's chain later, from the table's stream: adapters/day-chain.ts). Resolves 'written', 'contended' (someone linked first: read again) or 'rejected'
   * (a condition of `alsoWrite` failed: the transition lost to another decision).
   */
  async function write(
    event: StoredAuditEvent,
    alsoWrite: readonly ConditionalWrite[],
  ): Promise<'written' | 'contended' | 'rejected'> {
    const put = {
      TableName: tableName,
      Item: stripUndefined(event),
      ConditionExpression: 'attribute_not_exists(pk) AND attribute_not_exists(sk)',
    };
    const own = [{ Put: put }];
    try {
      if (own.length === 1 && alsoWrite.length === 0) await db.send(new PutCommand(put));
      else {
        await db.send(
          new TransactWriteCommand({ TransactItems: [...own, ...alsoWrite.map(transactItemOf)] }),
        );
      }
      return 'written';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'contended';
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons.slice(own.length).some((reason) => reason.Code === 'ConditionalCheckFailed')) {
        return 'rejected';
      }
      if (
        reasons.some(
          (reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict',
        )
      ) {
        return 'contended';
      }
      throw error;
    }
  }

  async function appendLinked(
    input: AuditEventInput,
    alsoWrite: readonly ConditionalWrite[],
  ): Promise<StoredAuditEvent | undefined> {
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt += 1) {
      const link = await lastLink(input.requestId);
      if (link.ended) return undefined;
      const event = build(input, link);
      const outcome = await write(event, alsoWrite);
      if (outcome === 'rejected') return undefined;
      if (outcome === 'written') {
        // Only counted here: the table's stream publishes the event to the bus (ADR 0005).
        observe?.(event);
        return event;
      }
      await backOff(attempt);
    }
    throw new Error(
      `audit chain of ${input.requestId} stayed contended after ${MAX_APPEND_ATTEMPTS} attempts`,
    );
  }

  return {
    /**
     * Appends one event to its request's chain. Nothing is appended after the terminal record: such
     * an event (a late repeat, a code typed after the end) resolves undefined and is not stored.
     */
    append: (input: AuditEventInput) => appendLinked(input, []),

    /**
     * Appends the event of a state transition together with the transition's conditional writes, in
     * one transaction: both happen or neither. Resolves false when a write's condition failed (the
     * transition lost to another decision) or the chain had already ended.
     */
    async appendWith(input: AuditEventInput, writes: readonly ConditionalWrite[]): Promise<boolean> {
      return (await appendLinked(input, writes)) !== undefined;
    },
  };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export type AuditLog = ReturnType<typeof createAuditLog>;
