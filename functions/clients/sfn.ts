import { SFNClient } from '@aws-sdk/client-sfn';
import { tracer } from '../shared/observability';
import { type ClientSettings, clientFor } from './client-settings';

const clients = new Map<string, SFNClient>();

/** The Step Functions client, created once per process (per stack locally); locally pointed at the local host. */
export function sfnClient(settings: ClientSettings): SFNClient {
  return clientFor(clients, settings, settings.endpoints.stepfunctions, (config) =>
    tracer.captureAWSv3Client(new SFNClient(config)),
  );
}
