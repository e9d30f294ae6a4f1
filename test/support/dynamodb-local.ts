import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { startDynamoDbLocal } from '../../local/dynamodb/dynamodb-local';

/**
 * DynamoDB Local of a test file's own, started before its tests and stopped after them, with an SDK
 * client and a document client on it. Read `.client` and `.documents` inside tests.
 */
export function dynamoDbLocal() {
  const holder = {} as { client: DynamoDBClient; documents: DynamoDBDocumentClient };
  let dynamodb: Awaited<ReturnType<typeof startDynamoDbLocal>> | undefined;
  beforeAll(async () => {
    dynamodb = await startDynamoDbLocal({});
    holder.client = new DynamoDBClient({
      endpoint: dynamodb.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    holder.documents = DynamoDBDocumentClient.from(holder.client);
  });
  afterAll(async () => {
    holder.client?.destroy();
    await dynamodb?.close();
  });
  return holder;
}
