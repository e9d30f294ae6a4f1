import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import {
  type DeadLetteredBatch,
  type LambdaStreamBatch,
  startStreamPoller,
} from '../../local/dynamodb/stream-poller';

/** A stream of one open shard holding `count` inserts, read in one page. */
function fakeStream(count: number) {
  let read = false;
  const send = async (command: unknown) => {
    if (command instanceof DescribeStreamCommand)
      return { StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } };
    if (command instanceof GetShardIteratorCommand) return { ShardIterator: 'it-1' };
    if (command instanceof GetRecordsCommand) {
      const records = read
        ? []
        : Array.from({ length: count }, (_, index) => ({
            eventID: `e${index + 1}`,
            eventName: 'INSERT',
            dynamodb: {
              SequenceNumber: String(index + 1),
              Keys: { pk: { S: 'REQ#r1' }, sk: { S: `EVT#${index + 1}` } },
              NewImage: { pk: { S: 'REQ#r1' }, seq: { N: String(index + 1) } },
              StreamViewType: 'NEW_IMAGE',
            },
          }));
      read = true;
      return { Records: records, NextShardIterator: 'it-1' };
    }
    throw new Error('unexpected command');
  };
  return { send } as unknown as DynamoDBStreamsClient;
}

const sequenceNumbers = (batch: LambdaStreamBatch) =>
  batch.Records.map((record) => (record.dynamodb as { SequenceNumber: string }).SequenceNumber);

async function run(count: number, answer: (batch: LambdaStreamBatch, call: number) => unknown) {
  const batches: LambdaStreamBatch[] = [];
  const deadLetters: DeadLetteredBatch[] = [];
  const poller = startStreamPoller({
    client: fakeStream(count),
    streamArn: 'local-stream',
    eventSourceArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/audit/stream/label',
    region: 'us-east-1',
    intervalMs: 5,
    retryAttempts: 2,
    deliver: async (batch) => {
      batches.push(batch);
      return answer(batch, batches.length);
    },
    onDeadLetter: (failure) => deadLetters.push(failure),
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await poller.stop();
  return { batches, deadLetters };
}

describe('the local stream poller', () => {
  it('delivers the stream’s records as a Lambda DynamoDB stream event', async () => {
    const { batches } = await run(2, () => ({ batchItemFailures: [] }));
    expect(batches).toHaveLength(1);
    expect(batches[0]?.Records[0]).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/audit/stream/label',
      dynamodb: { SequenceNumber: '1', NewImage: { pk: { S: 'REQ#r1' } } },
    });
  });

  it('delivers again from the first failed record, as Lambda does with a partial batch response', async () => {
    const { batches, deadLetters } = await run(4, (_batch, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: '3' }] } : { batchItemFailures: [] },
    );
    expect(batches.map(sequenceNumbers)).toEqual([
      ['1', '2', '3', '4'],
      ['3', '4'],
    ]);
    expect(deadLetters).toEqual([]);
  });

  it('dead-letters the records that still fail after the retries, and moves on', async () => {
    const { batches, deadLetters } = await run(2, () => ({ batchItemFailures: [{ itemIdentifier: '2' }] }));
    expect(batches.map(sequenceNumbers)).toEqual([['1', '2'], ['2'], ['2']]);
    expect(deadLetters).toEqual([
      {
        shardId: 'shard-1',
        firstSequenceNumber: '2',
        lastSequenceNumber: '2',
        records: 1,
        reason: 'batchItemFailures',
      },
    ]);
  });
});
