import { describe, expect, it } from 'vitest';
import {
  collectRequestFacts,
  requestsStartedBefore,
  type SummarizedEvent,
  summarizeAuditEvents,
  summarizeRequests,
} from '../../functions/domain/audit-summary';

const range = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-22T23:59:59.999Z' };

/** A request's chain: its first record at `start`, then each step `[type, seconds after start, extra]`. */
function request(
  requestId: string,
  start: string,
  steps: [string, number, Partial<SummarizedEvent>?][],
): SummarizedEvent[] {
  const at = (seconds: number) => new Date(Date.parse(start) + seconds * 1000).toISOString();
  return [
    { requestId, seq: 1, type: 'RecoveryRequested', at: start },
    ...steps.map(([type, seconds, extra], index) => ({
      requestId,
      seq: index + 2,
      type,
      at: at(seconds),
      ...extra,
    })),
  ];
}
const ended = (
  outcome: string,
  seconds: number,
  type: string,
): [string, number, Partial<SummarizedEvent>] => [type, seconds, { terminal: outcome, outcome }];
const completed = (id: string, start: string, seconds: number) =>
  request(id, start, [
    ['CodeSent', 1],
    ['CodeConfirmed', 30],
    ['TotpRemoved', seconds - 1],
    ended('COMPLETED', seconds, 'RecoveryCompleted'),
  ]);

describe('the audit overview of a range', () => {
  it('counts each request that ended in the range once, by its terminal outcome', () => {
    const summary = summarizeAuditEvents(
      [
        ...completed('a', '2026-11-20T10:00:00.000Z', 60),
        ...completed('b', '2026-11-21T10:00:00.000Z', 120),
        ...request('c', '2026-11-21T11:00:00.000Z', [ended('LOCKED', 50, 'RecoveryLocked')]),
        ...request('d', '2026-11-22T11:00:00.000Z', [ended('CANCELLED', 50, 'RecoveryCancelled')]),
        ...request('e', '2026-11-22T12:00:00.000Z', [ended('EXPIRED', 600, 'RecoveryExpired')]),
        ...request('f', '2026-11-22T13:00:00.000Z', [['CodeSent', 1]]),
      ],
      range,
    );
    expect(summary.ended).toBe(5);
    expect(summary.byOutcome).toEqual({
      COMPLETED: 2,
      SIGN_OUT_INCOMPLETE: 0,
      EXPIRED: 1,
      LOCKED: 1,
      CANCELLED: 1,
      DENIED: 0,
      IGNORED: 0,
      FAILED: 0,
      ABORTED: 0,
    });
    expect(summary.locks).toBe(1);
    expect(summary.cancels).toBe(1);
  });

  it('gives every day of the range, oldest first, with its requests by outcome', () => {
    const summary = summarizeAuditEvents(
      [
        ...completed('a', '2026-11-20T10:00:00.000Z', 60),
        ...request('c', '2026-11-22T11:00:00.000Z', [ended('LOCKED', 50, 'RecoveryLocked')]),
        ...completed('b', '2026-11-22T10:00:00.000Z', 120),
      ],
      range,
    );
    expect(summary.perDay).toEqual([
      { day: '2026-11-20', total: 1, byOutcome: { COMPLETED: 1 } },
      { day: '2026-11-21', total: 0, byOutcome: {} },
      { day: '2026-11-22', total: 2, byOutcome: { COMPLETED: 1, LOCKED: 1 } },
    ]);
  });

  it('counts a request on the day it ended, and not at all when it ended outside the range', () => {
    const summary = summarizeAuditEvents(
      [
        ...completed('across-midnight', '2026-11-20T23:59:30.000Z', 60),
        ...completed('before', '2026-11-19T10:00:00.000Z', 60),
        ...completed('after', '2026-11-23T00:00:00.000Z', 60),
      ],
      range,
    );
    expect(summary.ended).toBe(1);
    expect(summary.perDay.find((d) => d.day === '2026-11-21')?.byOutcome).toEqual({ COMPLETED: 1 });
  });

  it('times completed requests from their first record to the terminal one: median and p95', () => {
    const seconds = [
      10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 1000,
    ];
    const summary = summarizeAuditEvents(
      seconds.flatMap((s, i) => completed(`r${i}`, '2026-11-21T10:00:00.000Z', s)),
      range,
    );
    // Interpolated between neighbours: the median of 20 is between the 10th and 11th (100 s, 110 s).
    expect(summary.timeToComplete).toEqual({ count: 20, medianMs: 105_000, p95Ms: 230_500 });
  });

  it('leaves durations empty (null) when nothing completed', () => {
    const summary = summarizeAuditEvents(
      request('c', '2026-11-21T11:00:00.000Z', [ended('LOCKED', 50, 'RecoveryLocked')]),
      range,
    );
    expect(summary.timeToComplete).toEqual({ count: 0, medianMs: null, p95Ms: null });
    expect(summary.approvalTurnaround).toEqual({ count: 0, medianMs: null, p95Ms: null });
    expect(summary.denialShare).toEqual({ denied: 0, decided: 0, share: null });
  });

  it('times support decisions from ApprovalRequested to the final approval or the denial, and gives the denial share', () => {
    const approvedAfterTwo = request('two', '2026-11-21T09:00:00.000Z', [
      ['CodeConfirmed', 10],
      ['ApprovalRequested', 20],
      ['Approved', 80, { outcome: 'PARTIAL' }],
      ['Approved', 320, { outcome: 'APPROVED' }],
      ['TotpRemoved', 330],
      ended('COMPLETED', 340, 'RecoveryCompleted'),
    ]);
    const denied = request('no', '2026-11-21T10:00:00.000Z', [
      ['ApprovalRequested', 20],
      ended('DENIED', 140, 'RecoveryDenied'),
    ]);
    const undecided = request('late', '2026-11-21T11:00:00.000Z', [
      ['ApprovalRequested', 20],
      ended('EXPIRED', 3600, 'RecoveryExpired'),
    ]);
    const summary = summarizeAuditEvents([...approvedAfterTwo, ...denied, ...undecided], range);
    expect(summary.approvalTurnaround).toEqual({ count: 2, medianMs: 210_000, p95Ms: 291_000 });
    expect(summary.denialShare).toEqual({ denied: 1, decided: 2, share: 0.5 });
    expect(summary.byOutcome.DENIED).toBe(1);
  });

  it('names the requests that ended in the range but started before it, and times them once their chains are added', () => {
    const early = completed('early', '2026-11-19T23:00:00.000Z', 7200);
    const inRange = early.filter((e) => e.at >= range.from);
    const facts = collectRequestFacts(inRange);
    expect(requestsStartedBefore(facts, range)).toEqual(['early']);
    expect(summarizeRequests(facts, range).timeToComplete.count).toBe(0);
    // The whole chain on top of what was read: events seen twice count once.
    collectRequestFacts(early, facts);
    expect(requestsStartedBefore(facts, range)).toEqual([]);
    const summary = summarizeRequests(facts, range);
    expect(summary.ended).toBe(1);
    expect(summary.timeToComplete).toEqual({ count: 1, medianMs: 7_200_000, p95Ms: 7_200_000 });
  });

  it('ignores events of the account that are no recovery (a chain of one record, no terminal)', () => {
    const summary = summarizeAuditEvents(
      [{ requestId: 'codes', seq: 1, type: 'RecoveryCodesIssued', at: '2026-11-21T10:00:00.000Z' }],
      range,
    );
    expect(summary.ended).toBe(0);
    expect(summary.perDay.every((d) => d.total === 0)).toBe(true);
  });
});
