import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it, vi } from 'vitest';
import { runCli } from '../../cli/main';
import { alarmsWithoutMetric, BUSINESS_ALARMS, emittedMetrics } from '../../infra/observability';
import { RECORDED_PLACEHOLDERS, type RecordedCall } from '../../local/iam/aws-calls';
import { awsCallsFileOf } from '../../local/stack';
import type { StackInfo } from '../../local/stack-info';
import { checkCalls } from '../support/iam-policy';
import { synthesizeForLocal } from '../support/local-template';
import { EMITTED_METRICS_FILE, RECORDED_AWS_CALLS_FILE } from '../support/own-stack';
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

  it('every AWS call a function made is allowed by its IAM policy in the synthesized template, and every grant was used or is kept for a stated reason', async () => {
    const stack = inject('stack');
    const calls = recordedCalls(stack);
    const { KEPT_GRANTS } = await import('../../infra/permissions');
    const result = checkCalls({ ...(await synthesizeForLocal(stack)), calls, kept: KEPT_GRANTS });
    console.info(`IAM check: ${result.verified} distinct (principal, action, resource) triples verified`);
    expect(result.denied).toEqual([]);
    expect(result.unused).toEqual([]);
    expect(result.verified).toBeGreaterThan(50);
  });

  it('the IAM check fails, naming the function and the call, when one Cognito action is taken from one function', async () => {
    const stack = inject('stack');
    vi.resetModules();
    vi.doMock('../../infra/permissions', async (importOriginal) => {
      const original = await importOriginal<typeof import('../../infra/permissions')>();
      return {
        ...original,
        FUNCTION_NEEDS: {
          ...original.FUNCTION_NEEDS,
          'remove-totp': original.FUNCTION_NEEDS['remove-totp'].filter(
            (need) => need !== 'cognito:AdminDeleteSoftwareToken',
          ),
        },
      };
    });
    try {
      const result = checkCalls({
        ...(await synthesizeForLocal(stack)),
        calls: recordedCalls(stack),
        kept: [],
      });
      expect(result.denied).toEqual([
        `remove-totp: cognito-idp:AdminDeleteSoftwareToken on arn:aws:cognito-idp:${stack.region}:${stack.accountId}:userpool/${stack.userPoolId} (AdminDeleteSoftwareToken) is not allowed`,
      ]);
    } finally {
      vi.doUnmock('../../infra/permissions');
      vi.resetModules();
    }
  });
});

/** The calls the shared stack recorded so far, and those of every own stack that has stopped. */
function recordedCalls(stack: StackInfo): RecordedCall[] {
  const own: Record<string, string> = {
    [RECORDED_PLACEHOLDERS.userPoolId]: stack.userPoolId,
    [RECORDED_PLACEHOLDERS.staffUserPoolId]: stack.staffUserPoolId,
    [RECORDED_PLACEHOLDERS.pepperSecretArn]: stack.pepperSecretArn,
  };
  return [awsCallsFileOf(stack.logFile), RECORDED_AWS_CALLS_FILE]
    .filter((file) => existsSync(file))
    .flatMap((file) => readFileSync(file, 'utf8').split('\n'))
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedCall)
    .map((call) => ({
      ...call,
      resource: Object.entries(own).reduce((text, [from, to]) => text.split(from).join(to), call.resource),
    }));
}
