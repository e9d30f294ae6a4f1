import type { Settings } from '../shared/config';

/** What a client needs from configuration: the region and, locally, an endpoint override. */
export type ClientSettings = Pick<Settings, 'region' | 'endpoints'>;

export const clientConfig = (settings: ClientSettings, endpoint: string | undefined) => ({
  region: settings.region,
  ...(endpoint ? { endpoint } : {}),
});
