import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { CHAIN_VERSION, type ChainVersion, chainHash, GENESIS_HASH, wellFormed } from '../domain/audit-chain';
import type { AuditEventInput, PendingWrite } from '../domain/ports';
import type { TerminalOutcome } from '../domain/recovery-state';
import { type ChainHead, type ChainHeads, HEAD_FIELDS, headOf } from './chain-heads';
import { keys } from './recovery-keys';

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

/** Where the requests' items (and so their chain heads) are, and this process's hints of them. */
export interface HeadStore {
  readonly requestTable: string;
  readonly heads: ChainHeads;
}

/** The head an append links to: the chain's, and the one its request item holds (if it holds one). */
interface Link {
  readonly seq: number;
  readonly hash: string;
  readonly ended: boolean;
  /** The request item's head when it keeps one: the append moves it, conditionally. */
  readonly stored?: ChainHead;
}

/**
 * Append-only, hash-chained audit events per request. Each event is written with
 * `attribute_not_exists`, so two writers can never fork a chain: the loser reads again and links
 * after the winner. A request whose item keeps its chain head (`heads`) is appended to in one
 * transaction with that head's move, conditional on the head it read: no query of the chain, and the
 * head a step has just read with its request costs no read at all. Chains without such an item
 * (account events, requests stored before heads) are read from the audit table, as before.
 */
export function createAuditLog(
  db: DynamoDBDocumentClient,
  tableName: string,
  clock: () => Date,
  /** Told of every event once it is written: the business metrics are counted from the audit trail. */
  observe?: (event: StoredAuditEvent) => void,
  headStore?: HeadStore,
) {
  /** An event's put: never over another event, so two writers cannot fork a chain. */
  const eventPut = (event: StoredAuditEvent) => ({
    TableName: tableName,
    Item: stripUndefined(event),
    ConditionExpression: 'attribute_not_exists(pk) AND attribute_not_exists(sk)',
  });

  /** After events were written: the head for the rest of the invocation, then the metrics. */
  function recorded(events: readonly StoredAuditEvent[], keepHead: boolean) {
    const head = events.at(-1);
    if (keepHead && head) {
      headStore?.heads.set(head.requestId, {
        seq: head.seq,
        hash: head.hash,
        ended: head.terminal !== undefined,
      });
    }
    // Only counted here: the table's stream publishes the events to the bus (ADR 0005).
    for (const event of events) observe?.(event);
  }

  /** The chain's last link, from the audit table itself (authoritative). */
  async function chainLink(requestId: string) {
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

  /**
   * The link to append after. `fast`: the hint, else the request item's head. Otherwise (after a lost
   * race) the chain itself too, so a head left behind (by a writer that did not move it) is caught up.
   */
  async function readLink(requestId: string, fast: boolean): Promise<Link> {
    if (!headStore) return chainLink(requestId);
    const hinted = fast ? headStore.heads.get(requestId) : undefined;
    if (hinted) return { ...hinted, stored: hinted };
    const item = await db.send(
      new GetCommand({
        TableName: headStore.requestTable,
        Key: keys.request(requestId),
        ProjectionExpression: '#seq, #hash, #ended',
        ExpressionAttributeNames: {
          '#seq': HEAD_FIELDS.seq,
          '#hash': HEAD_FIELDS.hash,
          '#ended': HEAD_FIELDS.ended,
        },
        ConsistentRead: true,
      }),
    );
    const stored = headOf(item.Item);
    if (!stored) return chainLink(requestId);
    if (fast || stored.ended) return { ...stored, stored };
    const chain = await chainLink(requestId);
    return { ...(chain.seq > stored.seq ? chain : stored), stored };
  }

  /** The request item's update that moves its head to `event`, only from the head it was read at. */
  function headMove(event: StoredAuditEvent, stored: ChainHead) {
    return {
      sets: `#chainSeq = :chainSeqNew, #chainHead = :chainHeadNew${event.terminal ? ', #chainEnded = :chainEndedNew' : ''}`,
      condition: 'attribute_exists(pk) AND #chainSeq = :chainSeqWas AND attribute_not_exists(#chainEnded)',
      names: {
        '#chainSeq': HEAD_FIELDS.seq,
        '#chainHead': HEAD_FIELDS.hash,
        '#chainEnded': HEAD_FIELDS.ended,
      },
      values: {
        ':chainSeqNew': event.seq,
        ':chainHeadNew': event.hash,
        ':chainSeqWas': stored.seq,
        ...(event.terminal ? { ':chainEndedNew': true } : {}),
      },
    };
  }

  /**
   * The head's move as a transaction item: merged into the transition's own update of the request
   * item when there is one (DynamoDB takes one action per item in a transaction), else an update of
   * its own. Resolves the items in order and where the head's move is among them.
   */
  function withHeadMove(event: StoredAuditEvent, stored: ChainHead, writes: readonly TransactItem[]) {
    if (!headStore) throw new Error('no request table for chain heads');
    const move = headMove(event, stored);
    const key = keys.request(event.requestId);
    const index = writes.findIndex(
      (write) =>
        write.Update?.TableName === headStore.requestTable &&
        write.Update.Key?.pk === key.pk &&
        write.Update.Key?.sk === key.sk,
    );
    const own = writes[index]?.Update;
    if (!own) {
      const update: TransactItem = {
        Update: {
          TableName: headStore.requestTable,
          Key: key,
          UpdateExpression: `SET ${move.sets}`,
          ConditionExpression: move.condition,
          ExpressionAttributeNames: move.names,
          ExpressionAttributeValues: move.values,
        },
      };
      return { items: [update, ...writes], headIndex: 0, merged: false };
    }
    const expression = own.UpdateExpression ?? '';
    const merged: TransactItem = {
      Update: {
        ...own,
        UpdateExpression: /\bSET\b/i.test(expression)
          ? expression.replace(/\bSET\b/i, `SET ${move.sets},`)
          : `${expression} SET ${move.sets}`,
        ConditionExpression: own.ConditionExpression
          ? `(${own.ConditionExpression}) AND ${move.condition}`
          : move.condition,
        ExpressionAttributeNames: { ...own.ExpressionAttributeNames, ...move.names },
        ExpressionAttributeValues: { ...own.ExpressionAttributeValues, ...move.values },
      },
    };
    const items = [...writes];
    items[index] = merged;
    return { items, headIndex: index, merged: true };
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
   * Writes the event together with `alsoWrite` (and the request item's head, when it keeps one), all
   * with conditions (a request's first event is linked into its day's chain later, from the table's
   * stream: adapters/day-chain.ts). Resolves 'written', 'contended' (someone appended first: read
   * again) or 'rejected' (a condition of `alsoWrite` failed: the transition lost to another decision).
   */
  async function write(
    event: StoredAuditEvent,
    link: Link,
    alsoWrite: readonly ConditionalWrite[],
  ): Promise<'written' | 'contended' | 'rejected'> {
    const put = eventPut(event);
    const writes = alsoWrite.map(transactItemOf);
    const moved = link.stored ? withHeadMove(event, link.stored, writes) : undefined;
    const others = moved?.items ?? writes;
    try {
      if (others.length === 0) await db.send(new PutCommand(put));
      else await db.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, ...others] }));
      return 'written';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'contended';
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = (error.CancellationReasons ?? []).map((reason) => reason.Code);
      if (reasons.includes('TransactionConflict')) return 'contended';
      if (reasons[0] === 'ConditionalCheckFailed') return 'contended';
      const failedAt = reasons
        .slice(1)
        .flatMap((code, index) => (code === 'ConditionalCheckFailed' ? [index] : []));
      if (failedAt.length === 0) throw error;
      if (moved && failedAt.includes(moved.headIndex)) {
        // The head moved (someone appended: read again), or, merged with the transition, the
        // transition's own condition failed: the stored head tells which.
        if (!moved.merged || failedAt.length > 1) return 'contended';
        const now = await readLink(event.requestId, false);
        return now.stored?.seq === link.stored?.seq && !now.ended ? 'rejected' : 'contended';
      }
      return 'rejected';
    }
  }

  async function appendLinked(
    input: AuditEventInput,
    alsoWrite: readonly ConditionalWrite[],
  ): Promise<StoredAuditEvent | undefined> {
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt += 1) {
      const link = await readLink(input.requestId, attempt === 0);
      if (link.ended) return undefined;
      const event = build(input, link);
      const outcome = await write(event, link, alsoWrite);
      if (outcome === 'rejected') return undefined;
      if (outcome === 'written') {
        recorded([event], link.stored !== undefined);
        return event;
      }
      headStore?.heads.forget(input.requestId);
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

    /**
     * Starts a new request's chain: `inputs` as its first events (from the genesis hash), with
     * `writes`, one of which must create the request's item (`RecoveryStore.newRequest`): the chain's
     * head is written into that item. One transaction, no read. Resolves false when a condition
     * failed (the request, or one of its events, exists already).
     */
    async startChain(
      inputs: readonly AuditEventInput[],
      writes: readonly ConditionalWrite[],
    ): Promise<boolean> {
      const requestId = inputs[0]?.requestId;
      if (!requestId || inputs.some((input) => input.requestId !== requestId)) {
        throw new Error('a chain is started with events of one request');
      }
      const key = keys.request(requestId);
      const written = writes.map(transactItemOf);
      const creates = written.findIndex(
        (item) => item.Put?.Item?.pk === key.pk && item.Put.Item.sk === key.sk,
      );
      const created = written[creates]?.Put;
      if (!headStore || !created?.Item) throw new Error(`no write creates the item of request ${requestId}`);
      // A new chain starts at the genesis hash, read nowhere. Only if someone wrote into it first (the
      // owner's repeat, joining a twin still being accepted) is its head read and linked after.
      let link: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH };
      for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt += 1) {
        const events: StoredAuditEvent[] = [];
        for (const input of inputs) events.push(build(input, events.at(-1) ?? link));
        const head = events.at(-1) as StoredAuditEvent;
        const items = [...written];
        items[creates] = {
          Put: {
            ...created,
            Item: {
              ...created.Item,
              [HEAD_FIELDS.seq]: head.seq,
              [HEAD_FIELDS.hash]: head.hash,
              ...(head.terminal ? { [HEAD_FIELDS.ended]: true } : {}),
            },
          },
        };
        const puts = events.map((event) => ({ Put: eventPut(event) }));
        try {
          await db.send(new TransactWriteCommand({ TransactItems: [...puts, ...items] }));
          recorded(events, true);
          return true;
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const reasons = (error.CancellationReasons ?? []).map((reason) => reason.Code);
          // The request (or another write that creates it) exists already: this start lost.
          if (reasons.slice(puts.length).includes('ConditionalCheckFailed')) return false;
          const contended =
            reasons.slice(0, puts.length).includes('ConditionalCheckFailed') ||
            reasons.includes('TransactionConflict');
          if (!contended) throw error;
          const chain = await chainLink(requestId);
          if (chain.ended) return false;
          link = chain;
          await backOff(attempt);
        }
      }
      throw new Error(`audit chain of ${requestId} stayed contended after ${MAX_APPEND_ATTEMPTS} attempts`);
    },
  };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export type AuditLog = ReturnType<typeof createAuditLog>;
