import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';

/** A batch of stream records as Lambda hands it to a function (a DynamoDB stream event). */
export interface LambdaStreamBatch {
  readonly Records: readonly Record<string, unknown>[];
}

/** A read the poller makes, as Lambda's poller makes it with the function's role. */
export type StreamRead = 'DescribeStream' | 'GetShardIterator' | 'GetRecords';

export interface StreamPollerOptions {
  readonly client: DynamoDBStreamsClient;
  /** The stream to read, as DynamoDB Local names it (DescribeTable's LatestStreamArn). */
  readonly streamArn: string;
  /** The stream's ARN as AWS would name it: each record's `eventSourceARN`. */
  readonly eventSourceArn: string;
  readonly region: string;
  /** Invokes the function with one batch; resolves its answer (a partial batch response). */
  readonly deliver: (batch: LambdaStreamBatch) => Promise<unknown>;
  readonly onRead?: (read: StreamRead) => void;
  /** Told of records given up on after their retries, as Lambda tells its on-failure destination. */
  readonly onDeadLetter?: (failure: DeadLetteredBatch) => void;
  /** @default 100 */
  readonly intervalMs?: number;
  /** @default 100 (the event source mapping's batch size) */
  readonly batchSize?: number;
  /** Deliveries of a failing record after its first. @default 3 */
  readonly retryAttempts?: number;
}

/** Where in the stream the records given up on are (never their images). */
export interface DeadLetteredBatch {
  readonly shardId: string;
  readonly firstSequenceNumber: string;
  readonly lastSequenceNumber: string;
  readonly records: number;
  readonly reason: string;
}

interface ShardState {
  readonly parentShardId: string | undefined;
  iterator: string | undefined;
  lastSequenceNumber: string | undefined;
  closed: boolean;
}

/**
 * Lambda's DynamoDB event source mapping, locally: reads each shard of a stream from its start (the
 * mapping's TRIM_HORIZON), a parent before its children, and delivers the records in batches. A
 * partial batch response is honoured as Lambda honours it: the batch is delivered again from the
 * first failed record on, a bounded number of times, then dead-lettered and passed.
 */
export function startStreamPoller(options: StreamPollerOptions) {
  const intervalMs = options.intervalMs ?? 100;
  const retryAttempts = options.retryAttempts ?? 3;
  const shards = new Map<string, ShardState>();
  let stopped = false;
  let wake: (() => void) | undefined;
  let ticks = 0;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function discoverShards() {
    options.onRead?.('DescribeStream');
    const described = await options.client.send(new DescribeStreamCommand({ StreamArn: options.streamArn }));
    for (const shard of described.StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || shards.has(shard.ShardId)) continue;
      shards.set(shard.ShardId, {
        parentShardId: shard.ParentShardId,
        iterator: undefined,
        lastSequenceNumber: undefined,
        closed: false,
      });
    }
  }

  async function iteratorOf(shardId: string, shard: ShardState) {
    options.onRead?.('GetShardIterator');
    const answer = await options.client.send(
      new GetShardIteratorCommand({
        StreamArn: options.streamArn,
        ShardId: shardId,
        ...(shard.lastSequenceNumber
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.lastSequenceNumber }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return answer.ShardIterator;
  }

  async function readShard(shardId: string, shard: ShardState) {
    shard.iterator ??= await iteratorOf(shardId, shard);
    if (!shard.iterator) {
      shard.closed = true;
      return;
    }
    options.onRead?.('GetRecords');
    let page: Awaited<ReturnType<typeof readPage>>;
    try {
      page = await readPage(shard.iterator);
    } catch (error) {
      // An expired or trimmed iterator: read again after the last record delivered.
      shard.iterator = undefined;
      throw error;
    }
    shard.iterator = page.NextShardIterator;
    if (!shard.iterator) shard.closed = true;
    const records = page.Records ?? [];
    if (records.length === 0) return;
    await deliverWithRetries(shardId, records.map(lambdaRecordOf));
    shard.lastSequenceNumber = records.at(-1)?.dynamodb?.SequenceNumber ?? shard.lastSequenceNumber;
  }

  const readPage = (iterator: string) =>
    options.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: options.batchSize ?? 100 }));

  function lambdaRecordOf(record: StreamRecord): Record<string, unknown> {
    const change = record.dynamodb ?? {};
    return {
      eventID: record.eventID,
      eventName: record.eventName,
      eventVersion: record.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: options.region,
      dynamodb: {
        ...(change.ApproximateCreationDateTime
          ? { ApproximateCreationDateTime: Math.floor(change.ApproximateCreationDateTime.getTime() / 1000) }
          : {}),
        Keys: change.Keys,
        ...(change.NewImage ? { NewImage: change.NewImage } : {}),
        SequenceNumber: change.SequenceNumber,
        SizeBytes: change.SizeBytes,
        StreamViewType: change.StreamViewType,
      },
      eventSourceARN: options.eventSourceArn,
    };
  }

  async function deliverWithRetries(shardId: string, records: Record<string, unknown>[]) {
    let pending = records;
    for (let attempt = 0; ; attempt += 1) {
      let failedFrom: number;
      let reason: string;
      try {
        const failures = failedIdentifiers(await options.deliver({ Records: pending }));
        if (failures.size === 0) return;
        // As Lambda does: the stream is ordered, so it resumes from the first failed record.
        const first = pending.findIndex((record) => failures.has(sequenceNumberOf(record)));
        failedFrom = first === -1 ? 0 : first;
        reason = 'batchItemFailures';
      } catch (error) {
        failedFrom = 0;
        reason = error instanceof Error ? error.name : 'Error';
      }
      pending = pending.slice(failedFrom);
      if (attempt >= retryAttempts) {
        options.onDeadLetter?.({
          shardId,
          firstSequenceNumber: sequenceNumberOf(pending[0]),
          lastSequenceNumber: sequenceNumberOf(pending.at(-1)),
          records: pending.length,
          reason,
        });
        return;
      }
      await sleep(intervalMs * 2 ** attempt);
      if (stopped) return;
    }
  }

  async function tick() {
    if (ticks % 10 === 0 || [...shards.values()].every((shard) => shard.closed)) await discoverShards();
    ticks += 1;
    for (const [shardId, shard] of shards) {
      if (stopped) return;
      if (shard.closed) continue;
      const parent = shard.parentShardId ? shards.get(shard.parentShardId) : undefined;
      if (parent && !parent.closed) continue;
      await readShard(shardId, shard);
    }
  }

  const running = (async () => {
    while (!stopped) {
      await tick().catch((error: unknown) => {
        if (stopped) return;
        console.error(
          JSON.stringify({
            level: 'error',
            message: 'stream poller: reading the stream failed; trying again',
            errorName: error instanceof Error ? error.name : 'Error',
          }),
        );
      });
      if (!stopped) await sleep(intervalMs);
    }
  })();

  return {
    /** Stops polling once the read or delivery under way has ended. */
    stop: async () => {
      stopped = true;
      wake?.();
      await running;
    },
  };
}

function failedIdentifiers(answer: unknown): Set<string> {
  const failures = (answer as { batchItemFailures?: { itemIdentifier?: unknown }[] } | null)
    ?.batchItemFailures;
  return new Set((failures ?? []).map((failure) => String(failure.itemIdentifier)));
}

const sequenceNumberOf = (record: Record<string, unknown> | undefined) =>
  String((record?.dynamodb as { SequenceNumber?: unknown } | undefined)?.SequenceNumber ?? '');
