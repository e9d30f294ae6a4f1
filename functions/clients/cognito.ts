import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { tracer } from '../shared/observability';
import { type ClientSettings, clientConfig } from './client-settings';

let client: CognitoIdentityProviderClient | undefined;

/** The Cognito user pools client, created once per process; locally pointed at the emulator. */
export function cognitoClient(settings: ClientSettings): CognitoIdentityProviderClient {
  client ??= tracer.captureAWSv3Client(
    new CognitoIdentityProviderClient(clientConfig(settings, settings.endpoints.cognito)),
  );
  return client;
}
