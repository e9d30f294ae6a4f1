import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../../cli/main';
import { checkTerminalRecords } from '../support/terminal-records';

// Runs after every other e2e file (see the sequencer in vitest.config.ts).
describe('after the whole end-to-end run', () => {
  it('every request has exactly one terminal audit record, and it is the last of its chain', async () => {
    const { requests } = await checkTerminalRecords(inject('stack'));
    expect(requests).toBeGreaterThan(0);
  });

  it('`totp-recovery audit verify` passes over the whole run, straight from the audit table', async () => {
    const stack = inject('stack');
    const stackFile = join(mkdtempSync(join(tmpdir(), 'totp-recovery-verify-')), 'stack.json');
    writeFileSync(stackFile, JSON.stringify(stack));
    const out: string[] = [];
    const err: string[] = [];
    const day = new Date().toISOString().slice(0, 10);
    const code = await runCli(['--stack-file', stackFile, 'audit', 'verify', '--from', day, '--to', day], {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      env: {},
      cwd: process.cwd(),
    });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/^OK: \d+ events of \d+ requests over 1 days verify/);
  });
});
