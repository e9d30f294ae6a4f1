import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { tracer } from '../shared/observability';
import { type ClientSettings, clientFor } from './client-settings';

const clients = new Map<string, CognitoIdentityProviderClient>();

/** The Cognito user pools client, created once per process (per stack locally); locally pointed at the emulator. */
export function cognitoClient(settings: ClientSettings): CognitoIdentityProviderClient {
  return clientFor(clients, settings, settings.endpoints.cognito, (config) =>
    tracer.captureAWSv3Client(new CognitoIdentityProviderClient(config)),
  );
}
