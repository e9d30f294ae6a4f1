import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { chainHash, GENESIS_HASH } from '../domain/audit-chain';

/** The terminal outcomes: every request ends with exactly one audit record carrying one of them. */
export type TerminalOutcome =
  | 'COMPLETED'
  | 'EXPIRED'
  | 'LOCKED'
  | 'CANCELLED'
  | 'DENIED'
  | 'IGNORED'
  | 'FAILED';

/** One audit event as callers describe it; never a code, password, token or pepper. */
export interface AuditEventInput {
  readonly requestId: string;
  readonly type: string;
  readonly actor: string;
  readonly username?: string;
  readonly userSub?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly outcome?: string;
  readonly reasons?: readonly string[];
  readonly details?: Readonly<Record<string, string | number | boolean>>;
  readonly terminal?: TerminalOutcome;
}

export interface StoredAuditEvent extends AuditEventInput {
  readonly pk: string;
  readonly sk: string;
  readonly seq: number;
  readonly at: string;
  readonly day: string;
  readonly userKey?: string;
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
export function createAuditLog(db: DynamoDBDocumentClient, tableName: string, clock: () => Date) {
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
    const body = {
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
      prevHash: link.hash,
    };
    return {
      ...body,
      pk: `REQ#${input.requestId}`,
      sk: `EVT#${String(seq).padStart(6, '0')}`,
      hash: chainHash(body, link.hash),
    };
  }

  return {
    /**
     * Appends one event to its request's chain. Nothing is appended after the terminal record: such
     * an event (a late repeat, a code typed after the end) resolves undefined and is not stored.
     */
    async append(input: AuditEventInput): Promise<StoredAuditEvent | undefined> {
      for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt += 1) {
        const link = await lastLink(input.requestId);
        if (link.ended) return undefined;
        const event = build(input, link);
        try {
          await db.send(
            new PutCommand({
              TableName: tableName,
              Item: stripUndefined(event),
              ConditionExpression: 'attribute_not_exists(pk) AND attribute_not_exists(sk)',
            }),
          );
          return event;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          await backOff(attempt);
        }
      }
      throw new Error(
        `audit chain of ${input.requestId} stayed contended after ${MAX_APPEND_ATTEMPTS} attempts`,
      );
    },

    /**
     * Appends the terminal event together with `alsoWrite` (the request's terminal mark) in one
     * transaction. Resolves false when `alsoWrite`'s condition failed: the request already ended.
     */
    async appendTerminal(
      input: AuditEventInput & { terminal: TerminalOutcome },
      alsoWrite: NonNullable<TransactWriteCommandInput['TransactItems']>[number],
    ): Promise<boolean> {
      for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt += 1) {
        const link = await lastLink(input.requestId);
        if (link.ended) return false;
        const event = build(input, link);
        try {
          await db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: tableName,
                    Item: stripUndefined(event),
                    ConditionExpression: 'attribute_not_exists(pk) AND attribute_not_exists(sk)',
                  },
                },
                alsoWrite,
              ],
            }),
          );
          return true;
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const [auditReason, markReason] = error.CancellationReasons ?? [];
          if (markReason?.Code === 'ConditionalCheckFailed') return false;
          if (auditReason?.Code !== 'ConditionalCheckFailed') throw error;
          await backOff(attempt);
        }
      }
      throw new Error(
        `audit chain of ${input.requestId} stayed contended after ${MAX_APPEND_ATTEMPTS} attempts`,
      );
    },
  };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export type AuditLog = ReturnType<typeof createAuditLog>;
