import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoUsers } from '../../local/seed/user-pool';
import { startLocalStack } from '../../local/stack';

const stateDir = mkdtempSync(join(tmpdir(), 'totp-recovery-persist-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('npm start -- --persist', () => {
  it('keeps the pool, its users and their TOTP secrets across restarts, and seeds nothing twice', async () => {
    const first = await startLocalStack({ port: 0, stateDir, persist: true });
    await first.stop();
    const second = await startLocalStack({ port: 0, stateDir, persist: true });
    await second.stop();
    expect(second.info.userPoolId).toBe(first.info.userPoolId);
    expect(second.info.users).toEqual(first.info.users);
    expect(first.info.users.filter((user) => user.totpSecret)).toHaveLength(
      demoUsers.filter((user) => user.totp).length,
    );
  });
});
