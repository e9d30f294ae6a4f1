import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Settings } from '../shared/config';

type ClientSettings = Pick<Settings, 'region' | 'endpoints'>;

// One client per service per process, created on first use and reused across invocations.
const cache = new Map<string, unknown>();
function memo<T>(key: string, create: () => T): T {
  if (!cache.has(key)) cache.set(key, create());
  return cache.get(key) as T;
}

const base = (settings: ClientSettings, endpoint: string | undefined) => ({
  region: settings.region,
  ...(endpoint ? { endpoint } : {}),
});

/** DynamoDB document client; locally pointed at DynamoDB Local. */
export const documentClient = (settings: ClientSettings) =>
  memo('dynamodb', () =>
    DynamoDBDocumentClient.from(new DynamoDBClient(base(settings, settings.endpoints.dynamodb)), {
      marshallOptions: { removeUndefinedValues: true },
    }),
  );

export const cognitoClient = (settings: ClientSettings) =>
  memo('cognito', () => new CognitoIdentityProviderClient(base(settings, settings.endpoints.cognito)));

export const sesClient = (settings: ClientSettings) =>
  memo('ses', () => new SESv2Client(base(settings, settings.endpoints.ses)));

export const sfnClient = (settings: ClientSettings) =>
  memo('sfn', () => new SFNClient(base(settings, settings.endpoints.stepfunctions)));

export const secretsClient = (settings: ClientSettings) =>
  memo('secrets', () => new SecretsManagerClient({ region: settings.region }));
