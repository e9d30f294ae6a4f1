import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { TableSchema } from '../../functions/shared/table-schemas';

const keySchema = (partitionKey: string, sortKey?: string) => [
  { AttributeName: partitionKey, KeyType: 'HASH' as const },
  ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
];

const streamOf = (viewType: NonNullable<TableSchema['stream']>) => ({
  StreamEnabled: true,
  StreamViewType: viewType,
});

/**
 * Creates the table when it does not exist yet. An existing table (persisted state) keeps its items
 * and gains the indexes and stream a newer schema added, so `npm start -- --persist` survives an upgrade.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  schema: TableSchema,
): Promise<void> {
  try {
    const existing = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (schema.stream && !existing.Table?.StreamSpecification?.StreamEnabled) {
      await client.send(
        new UpdateTableCommand({ TableName: tableName, StreamSpecification: streamOf(schema.stream) }),
      );
    }
    const present = new Set((existing.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    for (const index of schema.globalSecondaryIndexes ?? []) {
      if (present.has(index.indexName)) continue;
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])].map(
            (name) => ({
              AttributeName: name,
              AttributeType: 'S',
            }),
          ),
          GlobalSecondaryIndexUpdates: [
            {
              Create: {
                IndexName: index.indexName,
                KeySchema: keySchema(index.partitionKey, index.sortKey),
                Projection: { ProjectionType: 'ALL' },
              },
            },
          ],
        }),
      );
    }
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const keyNames = new Set<string>([schema.partitionKey]);
  if (schema.sortKey) keyNames.add(schema.sortKey);
  for (const index of schema.globalSecondaryIndexes ?? []) {
    keyNames.add(index.partitionKey);
    if (index.sortKey) keyNames.add(index.sortKey);
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...keyNames].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: keySchema(schema.partitionKey, schema.sortKey),
      ...(schema.stream ? { StreamSpecification: streamOf(schema.stream) } : {}),
      ...(schema.globalSecondaryIndexes?.length
        ? {
            GlobalSecondaryIndexes: schema.globalSecondaryIndexes.map((index) => ({
              IndexName: index.indexName,
              KeySchema: keySchema(index.partitionKey, index.sortKey),
              Projection: { ProjectionType: 'ALL' },
            })),
          }
        : {}),
    }),
  );
  if (schema.timeToLiveAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: schema.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
}
