import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { cliFor } from '../support/cli';
import { completedRecovery, waitForTerminalRecord } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';

const stack = inject('stack');
const cli = cliFor(stack);

describe('the totp-recovery audit CLI', () => {
  it('lists a request’s events and exports the day as CSV and JSON lines, signed in as the seeded auditor', async () => {
    const { documents } = stackClients(stack);
    const { user, requestId } = await completedRecovery(stack);
    const chain = await waitForTerminalRecord(documents, stack, requestId);

    const listed = await cli(['--json', 'audit', 'list', '--request-id', requestId]);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.out) as { items: { seq: number }[] }).items.map((e) => e.seq)).toEqual(
      chain.map((e) => e.seq).reverse(),
    );
    const human = await cli(['audit', 'list', '--user', user.username]);
    expect(human.out).toMatch(/^AT +REQUEST +SEQ +TYPE +ACTOR/);
    expect(human.out).toMatch(new RegExp(`${requestId} +${chain.length} +RecoveryCompleted +system`));

    const day = String(chain[0]?.at).slice(0, 10);
    expect(
      (await cli(['audit', 'export', '--from', day, '--to', day, '--format', 'csv', '--output', 'day.csv']))
        .code,
    ).toBe(0);
    const csv = readFileSync(join(cli.cwd, 'day.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^at,requestId,seq/);
    expect(csv.filter((line) => line.includes(requestId))).toHaveLength(chain.length);
    const jsonl = await cli(['audit', 'export', '--from', day, '--to', day]);
    expect(jsonl.out.split('\n').filter((line) => line.includes(requestId))).toHaveLength(chain.length);

    // The export follows the search: one request's events, and nothing else.
    const one = await cli(['audit', 'export', '--request-id', requestId, '--format', 'csv']);
    expect(one.code).toBe(0);
    const [, ...rows] = one.out.trim().split('\n');
    expect(rows.map((row) => row.split(',')[1])).toEqual(chain.map(() => requestId));
    const removed = await cli(['audit', 'export', '--user', user.username, '--type', 'TotpRemoved']);
    expect(
      removed.out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).type),
    ).toEqual(['TotpRemoved']);
  });

  it('summarizes a range: requests ended by outcome, durations and decisions', async () => {
    const { requestId } = await completedRecovery(stack);
    await waitForTerminalRecord(stackClients(stack).documents, stack, requestId);
    const json = await cli(['--json', 'audit', 'summary']);
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.out) as { ended: number; byOutcome: Record<string, number> };
    expect(summary.byOutcome.COMPLETED).toBeGreaterThanOrEqual(1);
    expect(summary.ended).toBe(Object.values(summary.byOutcome).reduce((a, b) => a + b, 0));
    const human = await cli(['audit', 'summary']);
    expect(human.out).toMatch(/^\d+ requests ended from /);
    expect(human.out).toMatch(/^COMPLETED +\d+$/m);
    expect(human.out).toMatch(/^time to complete +\d+ +[\d.]+ s +[\d.]+ s$/m);
  });

  it('refuses a support person (403) and bad options (2)', async () => {
    const support = await cli(['--username', 'sam', 'audit', 'list']);
    expect(support.code).toBe(1);
    expect(support.err).toMatch(/not allowed \(403 FORBIDDEN\)/);
    expect((await cli(['audit', 'list', '--from', 'last week'])).code).toBe(2);
    expect((await cli(['audit', 'export', '--format', 'xml'])).code).toBe(2);
    expect((await cli(['audit', 'export', '--type', 'Nope'])).code).toBe(2);
    expect((await cli(['audit', 'summary', '--from', 'last week'])).code).toBe(2);
    expect((await cli(['audit', 'verify', '--table', 'x'])).err).toMatch(/with --table, also pass --region/);
    // An unknown event type is a usage error, never "No events." with exit 0.
    const nope = await cli(['audit', 'list', '--type', 'Nope']);
    expect(nope.code).toBe(2);
    expect(nope.err).toMatch(/--type must be one of RecoveryRequested, .*TotpRemoved.*; got "Nope"/);
    // The API's field detail reaches the person, not only "the request is not valid".
    const badSub = await cli(['audit', 'list', '--user-sub', 'not a sub!']);
    expect(badSub.code).toBe(1);
    expect(badSub.err).toMatch(/the request is not valid \(userSub: .+\)/);
  });
});
