import { SESv2Client } from '@aws-sdk/client-sesv2';
import { type ClientSettings, clientConfig } from './client-settings';

let client: SESv2Client | undefined;

/** The SES v2 client, created once per process; locally pointed at aws-ses-v2-local. */
export function sesClient(settings: ClientSettings): SESv2Client {
  client ??= new SESv2Client(clientConfig(settings, settings.endpoints.ses));
  return client;
}
