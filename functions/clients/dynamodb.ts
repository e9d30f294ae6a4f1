import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../shared/observability';
import { type ClientSettings, clientFor } from './client-settings';

const clients = new Map<string, DynamoDBDocumentClient>();

/** The DynamoDB document client, created once per process (per stack locally); locally pointed at DynamoDB Local. */
export function documentClient(settings: ClientSettings): DynamoDBDocumentClient {
  return clientFor(clients, settings, settings.endpoints.dynamodb, (config) =>
    DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient(config)), {
      marshallOptions: { removeUndefinedValues: true },
    }),
  );
}
