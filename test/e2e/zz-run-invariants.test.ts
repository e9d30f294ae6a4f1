import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../../cli/main';
import { alarmsWithoutMetric, BUSINESS_ALARMS, emittedMetrics } from '../../infra/observability';
import { EMITTED_METRICS_FILE } from '../support/own-stack';
import { checkTerminalRecords } from '../support/terminal-records';

// Runs after every other e2e file (see the sequencer in vitest.config.ts).
describe('after the whole end-to-end run', () => {
  it('every request has exactly one terminal audit record, and it is the last of its chain', async () => {
    const { requests } = await checkTerminalRecords(inject('stack'));
    expect(requests).toBeGreaterThan(0);
  });

  it('every alarm watches a metric (namespace, name and dimensions) the functions emitted in this run', () => {
    const stack = inject('stack');
    const lines = [
      readFileSync(stack.logFile, 'utf8'),
      existsSync(EMITTED_METRICS_FILE) ? readFileSync(EMITTED_METRICS_FILE, 'utf8') : '',
    ]
      .join('\n')
      .split('\n')
      .filter((line) => line.startsWith('{"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    expect(alarmsWithoutMetric(BUSINESS_ALARMS, emittedMetrics(lines))).toEqual([]);
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
