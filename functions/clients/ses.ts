import { SESv2Client } from '@aws-sdk/client-sesv2';
import { tracer } from '../shared/observability';
import { type ClientSettings, clientFor } from './client-settings';

const clients = new Map<string, SESv2Client>();

/** The SES v2 client, created once per process (per stack locally); locally pointed at aws-ses-v2-local. */
export function sesClient(settings: ClientSettings): SESv2Client {
  return clientFor(clients, settings, settings.endpoints.ses, (config) =>
    tracer.captureAWSv3Client(new SESv2Client(config)),
  );
}
