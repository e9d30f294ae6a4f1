import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type LocalStackOptions, type RunningLocalStack, startLocalStack } from '../../local/stack';

/**
 * A local stack of a test file's own, for settings the shared stack does not have; started before
 * the file's tests and stopped after them. Read `.current` inside tests.
 */
export function ownStack(options: Omit<LocalStackOptions, 'port' | 'stateDir'>) {
  const holder = {} as { current: RunningLocalStack };
  const stateDir = mkdtempSync(join(tmpdir(), 'totp-recovery-own-'));
  beforeAll(async () => {
    holder.current = await startLocalStack({ port: 0, stateDir, ...options });
  });
  afterAll(async () => {
    await holder.current?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });
  return holder;
}
