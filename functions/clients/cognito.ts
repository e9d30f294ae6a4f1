import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { type ClientSettings, clientConfig } from './client-settings';

let client: CognitoIdentityProviderClient | undefined;

/** The Cognito user pools client, created once per process; locally pointed at the emulator. */
export function cognitoClient(settings: ClientSettings): CognitoIdentityProviderClient {
  client ??= new CognitoIdentityProviderClient(clientConfig(settings, settings.endpoints.cognito));
  return client;
}
