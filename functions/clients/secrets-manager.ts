import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { tracer } from '../shared/observability';
import { type ClientSettings, clientFor } from './client-settings';

const clients = new Map<string, SecretsManagerClient>();

/** The Secrets Manager client, created once per process (per stack locally); locally pointed at the local Secrets Manager. */
export function secretsClient(settings: ClientSettings): SecretsManagerClient {
  return clientFor(clients, settings, settings.endpoints.secretsmanager, (config) =>
    tracer.captureAWSv3Client(new SecretsManagerClient(config)),
  );
}
