import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { tracer } from '../shared/observability';
import { type ClientSettings, clientConfig } from './client-settings';

let client: SecretsManagerClient | undefined;

/** The Secrets Manager client, created once per process; locally pointed at the local Secrets Manager. */
export function secretsClient(settings: ClientSettings): SecretsManagerClient {
  client ??= tracer.captureAWSv3Client(
    new SecretsManagerClient(clientConfig(settings, settings.endpoints.secretsmanager)),
  );
  return client;
}
