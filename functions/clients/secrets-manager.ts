import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ClientSettings } from './client-settings';

let client: SecretsManagerClient | undefined;

/** The Secrets Manager client (AWS only: locally the pepper is a file). */
export function secretsClient(settings: ClientSettings): SecretsManagerClient {
  client ??= new SecretsManagerClient({ region: settings.region });
  return client;
}
