import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { auditTableSchema } from '../../functions/shared/table-schemas';
import { ensureTable } from '../../local/seed/tables';
import { dynamoDbLocal } from '../support/dynamodb-local';

const local = dynamoDbLocal();

describe('tables of a persisted local stack', () => {
  it('gain the indexes a newer schema added, and keep the ones they had', async () => {
    const older = {
      ...auditTableSchema,
      globalSecondaryIndexes: auditTableSchema.globalSecondaryIndexes?.slice(0, 1),
    };
    await ensureTable(local.client, 'audit-upgrade', older);
    await ensureTable(local.client, 'audit-upgrade', auditTableSchema);
    const table = await local.client.send(new DescribeTableCommand({ TableName: 'audit-upgrade' }));
    expect((table.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort()).toEqual(
      (auditTableSchema.globalSecondaryIndexes ?? []).map((index) => index.indexName).sort(),
    );
  });
});
