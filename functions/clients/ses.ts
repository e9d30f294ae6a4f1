import { SESv2Client } from '@aws-sdk/client-sesv2';
import { tracer } from '../shared/observability';
import { type ClientSettings, clientConfig } from './client-settings';

let client: SESv2Client | undefined;

/** The SES v2 client, created once per process; locally pointed at aws-ses-v2-local. */
export function sesClient(settings: ClientSettings): SESv2Client {
  client ??= tracer.captureAWSv3Client(new SESv2Client(clientConfig(settings, settings.endpoints.ses)));
  return client;
}
