import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { tracer } from '../shared/observability';
import { type ClientSettings, clientFor } from './client-settings';

const clients = new Map<string, EventBridgeClient>();

/** The EventBridge client, created once per process (per stack locally); locally pointed at the event recorder. */
export function eventBridgeClient(settings: ClientSettings): EventBridgeClient {
  return clientFor(clients, settings, settings.endpoints.eventbridge, (config) =>
    tracer.captureAWSv3Client(new EventBridgeClient(config)),
  );
}
