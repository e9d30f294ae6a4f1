import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { tracer } from '../shared/observability';
import { type ClientSettings, clientConfig } from './client-settings';

let client: EventBridgeClient | undefined;

/** The EventBridge client, created once per process; locally pointed at the event recorder. */
export function eventBridgeClient(settings: ClientSettings): EventBridgeClient {
  client ??= tracer.captureAWSv3Client(
    new EventBridgeClient(clientConfig(settings, settings.endpoints.eventbridge)),
  );
  return client;
}
