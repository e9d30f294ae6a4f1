import { SFNClient } from '@aws-sdk/client-sfn';
import { type ClientSettings, clientConfig } from './client-settings';

let client: SFNClient | undefined;

/** The Step Functions client, created once per process; locally pointed at the local host. */
export function sfnClient(settings: ClientSettings): SFNClient {
  client ??= new SFNClient(clientConfig(settings, settings.endpoints.stepfunctions));
  return client;
}
