import { SFNClient } from '@aws-sdk/client-sfn';
import { tracer } from '../shared/observability';
import { type ClientSettings, clientConfig } from './client-settings';

let client: SFNClient | undefined;

/** The Step Functions client, created once per process; locally pointed at the local host. */
export function sfnClient(settings: ClientSettings): SFNClient {
  client ??= tracer.captureAWSv3Client(
    new SFNClient(clientConfig(settings, settings.endpoints.stepfunctions)),
  );
  return client;
}
