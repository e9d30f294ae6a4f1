import { SNSClient } from '@aws-sdk/client-sns';
import { tracer } from '../shared/observability';
import { type ClientSettings, clientFor } from './client-settings';

const clients = new Map<string, SNSClient>();

/** The SNS client (text messages), created once per process (per stack locally); locally pointed at the SMS recorder. */
export function snsClient(settings: ClientSettings): SNSClient {
  return clientFor(clients, settings, settings.endpoints.sns, (config) =>
    tracer.captureAWSv3Client(new SNSClient(config)),
  );
}
