import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../functions/adapters/audit-log';
import { chainHash, GENESIS_HASH } from '../../functions/domain/audit-chain';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const db = mockClient(documents);
const clock = () => new Date('2026-11-22T10:00:00.000Z');
const audit = createAuditLog(documents, 'audit', clock);
const event = { requestId: 'r1', type: 'CodeSent', actor: 'system' };

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
