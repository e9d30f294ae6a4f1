import type { Settings } from '../shared/config';

/** What a client needs from configuration: the region, a request timeout and, locally, an endpoint override. */
export type ClientSettings = Pick<Settings, 'region' | 'endpoints' | 'requestTimeoutMs' | 'eventBusName'>;

/**
 * A hung dependency must fail the call fast enough for the SDK's own retries (and then the
 * workflow's) to run inside the function's time limit, rather than the function timing out.
 */
export const clientConfig = (settings: ClientSettings, endpoint: string | undefined) => ({
  region: settings.region,
  requestHandler: {
    connectionTimeout: 1_000,
    requestTimeout: settings.requestTimeoutMs,
    throwOnRequestTimeout: true,
  },
  ...(endpoint ? { endpoint } : {}),
});

/**
 * One client per service and configuration (region, endpoint, timeout): created once per process in
 * Lambda, and once per stack when several local stacks share a process, each with its own endpoints.
 */
export function clientFor<T>(
  clients: Map<string, T>,
  settings: ClientSettings,
  endpoint: string | undefined,
  make: (config: ReturnType<typeof clientConfig>) => T,
): T {
  const key = `${settings.region}|${endpoint ?? ''}|${settings.requestTimeoutMs}`;
  let client = clients.get(key);
  if (!client) {
    client = make(clientConfig(settings, endpoint));
    clients.set(key, client);
  }
  return client;
}
