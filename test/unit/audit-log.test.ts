import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../functions/adapters/audit-log';
import { createChainHeads } from '../../functions/adapters/chain-heads';
import { chainHash, GENESIS_HASH } from '../../functions/domain/audit-chain';
import type { PendingWrite } from '../../functions/domain/ports';
import { withInvocationScope } from '../../functions/shared/invocation-scope';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const db = mockClient(documents);
const clock = () => new Date('2026-11-22T10:00:00.000Z');
const audit = createAuditLog(documents, 'audit', clock);
const event = { requestId: 'r1', type: 'CodeSent', actor: 'system' };
/** A cancelled transaction, with one cancellation reason per item, as DynamoDB answers it. */
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

beforeEach(() => db.reset());

describe('appending to an audit chain', () => {
  it('links the first event to the genesis hash in chain version 2, with one conditional put and no day-chain work on the request path', async () => {
    db.on(QueryCommand).resolves({ Items: [] });
    db.on(PutCommand).resolves({});
    const stored = await audit.append(event);
    expect(stored).toMatchObject({
      seq: 1,
      sk: 'EVT#000001',
      prevHash: GENESIS_HASH,
      day: '2026-11-22',
      chainVersion: 2,
    });
    const { pk, sk, hash, ...body } = stored as NonNullable<typeof stored>;
    expect(hash).toBe(chainHash(body, GENESIS_HASH));
    const put = db.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.ConditionExpression).toContain('attribute_not_exists');
    expect(db.commandCalls(TransactWriteCommand)).toHaveLength(0);
    // The one read is the request's own chain: no day chain's head is read or written here.
    const reads = db
      .commandCalls(QueryCommand)
      .map((call) => call.args[0].input.ExpressionAttributeValues?.[':pk']);
    expect(reads).toEqual(['REQ#r1']);
  });

  it('re-reads the chain and links after the winner when another writer took the same link', async () => {
    db.on(QueryCommand)
      .resolvesOnce({ Items: [{ seq: 1, hash: 'a'.repeat(64) }] })
      .resolves({ Items: [{ seq: 2, hash: 'c'.repeat(64) }] });
    db.on(PutCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'taken', $metadata: {} }))
      .resolves({});
    const stored = await audit.append(event);
    expect(stored).toMatchObject({ seq: 3, prevHash: 'c'.repeat(64) });
  });

  it('stores and hashes a lone surrogate as U+FFFD, so the record is the one hashed and JCS can read it', async () => {
    db.on(QueryCommand).resolves({ Items: [{ seq: 1, hash: 'a'.repeat(64) }] });
    db.on(PutCommand).resolves({});
    const stored = await audit.append({ ...event, username: 'ad\ud800am', reasons: ['\udc00'] });
    const item = db.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect(item).toMatchObject({ username: 'ad\ufffdam', userKey: 'USER#ad\ufffdam', reasons: ['\ufffd'] });
    const { pk, sk, hash, ...body } = item as NonNullable<typeof stored>;
    expect(hash).toBe(chainHash(body, 'a'.repeat(64)));
  });

  it('appends nothing after the terminal record', async () => {
    db.on(QueryCommand).resolves({ Items: [{ seq: 7, hash: 'b'.repeat(64), terminal: 'COMPLETED' }] });
    expect(await audit.append(event)).toBeUndefined();
    expect(db.commandCalls(PutCommand)).toHaveLength(0);
  });
});

describe('appending to a chain whose request item keeps its head', () => {
  const heads = createChainHeads();
  const headed = createAuditLog(documents, 'audit', clock, undefined, { requestTable: 'recoveries', heads });
  const head = { seq: 2, hash: 'c'.repeat(64), ended: false };
  const move = (): PendingWrite =>
    ({
      Update: {
        TableName: 'recoveries',
        Key: { pk: 'REQ#r1', sk: 'META' },
        UpdateExpression: 'SET #status = :to',
        ConditionExpression: '#status IN (:from0)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':to': 'CONFIRMED', ':from0': 'CODE_SENT' },
      },
    }) as unknown as PendingWrite;
  const transactItems = () => db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];

  it('appends after the head the step read with its request: one transaction, no query, no read', async () => {
    db.on(TransactWriteCommand).resolves({});
    const stored = await withInvocationScope(async () => {
      heads.set('r1', head);
      return headed.append(event);
    });
    expect(stored).toMatchObject({ seq: 3, prevHash: 'c'.repeat(64) });
    expect(db.commandCalls(QueryCommand)).toHaveLength(0);
    expect(db.commandCalls(GetCommand)).toHaveLength(0);
    const [put, update] = transactItems();
    expect(put?.Put?.Item).toMatchObject({ pk: 'REQ#r1', sk: 'EVT#000003' });
    expect(update?.Update).toMatchObject({
      TableName: 'recoveries',
      Key: { pk: 'REQ#r1', sk: 'META' },
      ExpressionAttributeValues: { ':chainSeqWas': 2, ':chainSeqNew': 3, ':chainHeadNew': stored?.hash },
    });
    expect(update?.Update?.ConditionExpression).toContain('#chainSeq = :chainSeqWas');
  });

  it('reads the head from the request item, not the chain, when the invocation has none', async () => {
    db.on(GetCommand).resolves({ Item: { chainSeq: 2, chainHead: 'c'.repeat(64) } });
    db.on(TransactWriteCommand).resolves({});
    expect(await headed.append(event)).toMatchObject({ seq: 3 });
    expect(db.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'recoveries',
      Key: { pk: 'REQ#r1', sk: 'META' },
      ConsistentRead: true,
    });
    expect(db.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('merges the head’s move into the transition’s own update of the request item (one action per item)', async () => {
    db.on(GetCommand).resolves({ Item: { chainSeq: 2, chainHead: 'c'.repeat(64) } });
    db.on(TransactWriteCommand).resolves({});
    expect(await headed.appendWith({ ...event, terminal: 'COMPLETED' }, [move()])).toBe(true);
    const items = transactItems();
    expect(items).toHaveLength(2);
    const update = items[1]?.Update;
    expect(update?.UpdateExpression).toBe(
      'SET #chainSeq = :chainSeqNew, #chainHead = :chainHeadNew, #chainEnded = :chainEndedNew, #status = :to',
    );
    expect(update?.ConditionExpression).toBe(
      '(#status IN (:from0)) AND attribute_exists(pk) AND #chainSeq = :chainSeqWas AND attribute_not_exists(#chainEnded)',
    );
    expect(update?.ExpressionAttributeValues).toMatchObject({ ':to': 'CONFIRMED', ':chainEndedNew': true });
  });

  it('answers false, without retrying, when the merged update failed but the head had not moved: the transition lost', async () => {
    db.on(GetCommand).resolves({ Item: { chainSeq: 2, chainHead: 'c'.repeat(64) } });
    db.on(QueryCommand).resolves({ Items: [{ seq: 2, hash: 'c'.repeat(64) }] });
    db.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
    expect(await headed.appendWith(event, [move()])).toBe(false);
    expect(db.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('links after the chain’s real last event when the stored head was left behind, and moves the head from where it was', async () => {
    // A writer that did not move the head (an older version during a deployment) appended event 3.
    db.on(GetCommand).resolves({ Item: { chainSeq: 2, chainHead: 'c'.repeat(64) } });
    db.on(QueryCommand).resolves({ Items: [{ seq: 3, hash: 'd'.repeat(64) }] });
    db.on(TransactWriteCommand).rejectsOnce(cancelled('ConditionalCheckFailed', 'None')).resolves({});
    expect(await headed.append(event)).toMatchObject({ seq: 4, prevHash: 'd'.repeat(64) });
    const [put, update] = db.commandCalls(TransactWriteCommand)[1]?.args[0].input.TransactItems ?? [];
    expect(put?.Put?.Item).toMatchObject({ sk: 'EVT#000004' });
    expect(update?.Update?.ExpressionAttributeValues).toMatchObject({ ':chainSeqWas': 2, ':chainSeqNew': 4 });
  });

  it('appends nothing once the request item marks its chain ended', async () => {
    db.on(GetCommand).resolves({ Item: { chainSeq: 9, chainHead: 'c'.repeat(64), chainEnded: true } });
    expect(await headed.append(event)).toBeUndefined();
    expect(db.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('reads the chain itself for a chain with no request item (an account event)', async () => {
    db.on(GetCommand).resolves({});
    db.on(QueryCommand).resolves({ Items: [] });
    db.on(PutCommand).resolves({});
    expect(await headed.append({ ...event, requestId: 'account-1' })).toMatchObject({ seq: 1 });
    expect(db.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('starting a new request’s chain', () => {
  const heads = createChainHeads();
  const headed = createAuditLog(documents, 'audit', clock, undefined, { requestTable: 'recoveries', heads });
  const newRequest = () =>
    ({
      Put: {
        TableName: 'recoveries',
        Item: { pk: 'REQ#r1', sk: 'META', status: 'IGNORED' },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    }) as unknown as PendingWrite;
  const second = { ...event, type: 'RecoveryIgnored', terminal: 'IGNORED' as const };

  it('writes the request item, its first events and the head in one transaction, reading nothing', async () => {
    db.on(TransactWriteCommand).resolves({});
    expect(await headed.startChain([event, second], [newRequest()])).toBe(true);
    expect(db.commandCalls(QueryCommand)).toHaveLength(0);
    expect(db.commandCalls(GetCommand)).toHaveLength(0);
    const items = db.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    const [first, last, request] = items.map((item) => item.Put?.Item ?? {});
    expect(first).toMatchObject({ sk: 'EVT#000001', prevHash: GENESIS_HASH });
    expect(last).toMatchObject({ sk: 'EVT#000002', prevHash: first?.hash, terminal: 'IGNORED' });
    expect(request).toMatchObject({ sk: 'META', chainSeq: 2, chainHead: last?.hash, chainEnded: true });
  });

  it('links after events written into the chain first (a repeat joining a twin being accepted)', async () => {
    db.on(QueryCommand).resolves({ Items: [{ seq: 1, hash: 'e'.repeat(64) }] });
    db.on(TransactWriteCommand).rejectsOnce(cancelled('ConditionalCheckFailed', 'None')).resolves({});
    expect(await headed.startChain([event], [newRequest()])).toBe(true);
    const [put, request] = db.commandCalls(TransactWriteCommand)[1]?.args[0].input.TransactItems ?? [];
    expect(put?.Put?.Item).toMatchObject({ sk: 'EVT#000002', prevHash: 'e'.repeat(64) });
    expect(request?.Put?.Item).toMatchObject({ chainSeq: 2 });
  });

  it('answers false when the request exists already', async () => {
    db.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
    expect(await headed.startChain([event], [newRequest()])).toBe(false);
    expect(db.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});
