import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../shared/observability';
import { type ClientSettings, clientConfig } from './client-settings';

let client: DynamoDBDocumentClient | undefined;

/** The DynamoDB document client, created once per process; locally pointed at DynamoDB Local. */
export function documentClient(settings: ClientSettings): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(
    tracer.captureAWSv3Client(new DynamoDBClient(clientConfig(settings, settings.endpoints.dynamodb))),
    {
      marshallOptions: { removeUndefinedValues: true },
    },
  );
  return client;
}
