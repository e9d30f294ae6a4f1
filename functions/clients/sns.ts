import { SNSClient } from '@aws-sdk/client-sns';
import { tracer } from '../shared/observability';
import { type ClientSettings, clientConfig } from './client-settings';

let client: SNSClient | undefined;

/** The SNS client (text messages), created once per process; locally pointed at the SMS recorder. */
export function snsClient(settings: ClientSettings): SNSClient {
  client ??= tracer.captureAWSv3Client(new SNSClient(clientConfig(settings, settings.endpoints.sns)));
  return client;
}
