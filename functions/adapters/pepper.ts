import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import type { PepperSource } from '../domain/ports';

export type { PepperSource };

/**
 * The pepper from Secrets Manager, through Powertools Parameters, cached for `maxAgeSeconds`: a
 * rotation (a new AWSCURRENT value) reaches every function within that time without a redeploy, and
 * the previous value keeps verifying what was issued before it. It never leaves memory.
 */
export function createPepperSource(
  secretId: string,
  client: SecretsManagerClient,
  maxAgeSeconds: number,
): PepperSource {
  // One provider per staging label: Powertools caches by secret name, not by the request's options.
  const currentProvider = new SecretsProvider({ awsSdkV3Client: client });
  const previousProvider = new SecretsProvider({ awsSdkV3Client: client });
  let noPreviousUntil = 0;

  // Powertools wraps the SDK's error; the SDK's own (a throttle, a 5xx) is what callers classify.
  const unwrapped = (error: unknown): unknown => {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? cause : error;
  };

  const current = async () => {
    let value: unknown;
    try {
      value = await currentProvider.get(secretId, { maxAge: maxAgeSeconds });
    } catch (error) {
      throw unwrapped(error);
    }
    if (typeof value !== 'string' || value.length === 0)
      throw new Error('the pepper secret has no string value');
    return Buffer.from(value, 'utf8');
  };

  const previous = async (): Promise<Buffer | undefined> => {
    if (Date.now() < noPreviousUntil) return undefined;
    try {
      const value = await previousProvider.get(secretId, {
        maxAge: maxAgeSeconds,
        sdkOptions: { VersionStage: 'AWSPREVIOUS' },
      });
      return typeof value === 'string' && value.length > 0 ? Buffer.from(value, 'utf8') : undefined;
    } catch (error) {
      const cause = unwrapped(error);
      if ((cause as Error).name !== 'ResourceNotFoundException') throw cause;
      // A secret never rotated has no AWSPREVIOUS version: remember that for as long as a value would be.
      noPreviousUntil = Date.now() + maxAgeSeconds * 1000;
      return undefined;
    }
  };

  return {
    current,
    async verifying() {
      const [now, before] = await Promise.all([current(), previous()]);
      return before && !before.equals(now) ? [now, before] : [now];
    },
  };
}
