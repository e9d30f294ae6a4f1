import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const stateDir = mkdtempSync(join(tmpdir(), 'totp-recovery-start-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

function groupIsAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

describe('npm start', () => {
  it('brings the stack up, writes stack.json, and leaves no process behind on Ctrl-C', async () => {
    // Its own process group, so SIGINT reaches every process as a terminal's Ctrl-C would.
    const child = spawn('npm', ['start'], {
      env: { ...process.env, PORT: '0', LOCAL_STATE_DIR: stateDir, LOCAL_POOL_MFA: 'OPTIONAL' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const pgid = child.pid as number;

    const stackFile = join(stateDir, 'stack.json');
    const info = await waitFor(
      () =>
        existsSync(stackFile) && output.includes('ready')
          ? JSON.parse(readFileSync(stackFile, 'utf8'))
          : undefined,
      60_000,
    );
    for (const key of [
      'apiUrl',
      'region',
      'userPoolId',
      'userPoolClientId',
      'staffUserPoolId',
      'staffClientId',
      'fromAddress',
      'stateMachineArn',
      'mailboxUrl',
      'smsUrl',
      'enrollClientId',
      'eventsUrl',
    ]) {
      expect(info[key], key).toEqual(expect.any(String));
    }
    expect(Object.keys(info.tables)).toEqual(['recoveries', 'audit']);
    expect(Object.keys(info.endpoints).sort()).toEqual([
      'cognito',
      'dynamodb',
      'eventbridge',
      'secretsmanager',
      'ses',
      'sns',
      'stepfunctions',
    ]);
    expect(info.pepperSecretArn).toMatch(/^arn:aws:secretsmanager:/);
    expect(output).toContain(info.logFile.split('/').pop());
    expect(info.poolMfa).toBe('OPTIONAL');
    expect(info.users.find((u: { username: string }) => u.username === 'alice').totpSecret).toMatch(
      /^[A-Z2-7]+$/,
    );
    expect((await fetch(`${info.apiUrl}/health`)).status).toBe(200);
    expect(output).toContain(info.mailboxUrl);
    expect(output).toContain(`${info.apiUrl}/support`);
    expect(output).toContain(`${info.apiUrl}/audit`);
    expect(output).toContain(info.eventsUrl);

    process.kill(-pgid, 'SIGINT');
    // The stack exits 0; npm itself, like any shell job, then ends by the SIGINT it also received.
    const { code, signal } = await exited;
    expect(code === 0 || signal === 'SIGINT').toBe(true);
    expect(output).toContain('stopping the local stack');
    await waitFor(() => (groupIsAlive(pgid) ? undefined : true), 10_000);
    await expect(fetch(info.endpoints.dynamodb)).rejects.toThrow();
  }, 90_000);
});
