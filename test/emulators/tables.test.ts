import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTableSchema } from '../../functions/shared/table-schemas';
import { startDynamoDbLocal } from '../../local/dynamodb/dynamodb-local';
import { ensureTable } from '../../local/seed/tables';

let dynamodb: Awaited<ReturnType<typeof startDynamoDbLocal>>;
let client: DynamoDBClient;

beforeAll(async () => {
  dynamodb = await startDynamoDbLocal({});
  client = new DynamoDBClient({
    endpoint: dynamodb.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  client.destroy();
  await dynamodb.close();
});

describe('tables of a persisted local stack', () => {
  it('gain the indexes a newer schema added, and keep the ones they had', async () => {
    const older = {
      ...auditTableSchema,
      globalSecondaryIndexes: auditTableSchema.globalSecondaryIndexes?.slice(0, 1),
    };
    await ensureTable(client, 'audit-upgrade', older);
    await ensureTable(client, 'audit-upgrade', auditTableSchema);
    const table = await client.send(new DescribeTableCommand({ TableName: 'audit-upgrade' }));
    expect((table.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort()).toEqual(
      (auditTableSchema.globalSecondaryIndexes ?? []).map((index) => index.indexName).sort(),
    );
  });
});
