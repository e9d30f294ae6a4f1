import { describe, expect, it } from 'vitest';
import type { AuditEventInput, AuditLog } from '../../functions/adapters/audit-log';
import type { RecoveryRequest, RecoveryStore } from '../../functions/adapters/recovery-store';
import type { DirectoryUser, UserDirectory } from '../../functions/adapters/user-directory';
import { finishRecovery, removeTotp } from '../../functions/use-cases/workflow-steps';
import { fakeCognitoBudget } from '../support/cognito-budget';

const request: RecoveryRequest = {
  requestId: 'AAAAAAAAAAAAAAAAAAAAAA',
  username: 'alice',
  sub: 'sub-1',
  status: 'REMOVING',
  createdAt: '2026-11-22T10:00:00.000Z',
  decoy: false,
  proof: 'PASSWORD',
  sourceIp: '127.0.0.1',
  userAgent: 'test',
};

/** In-memory stand-ins for the adapters a workflow step uses. */
function fakes(options: {
  pool: 'ON' | 'OPTIONAL';
  deleteFails?: string;
  mfaAfter?: string[];
  status?: RecoveryRequest['status'];
  budgetSpent?: boolean;
}) {
  const calls: string[] = [];
  const events: AuditEventInput[] = [];
  const user = (mfa: string[]): DirectoryUser => ({
    username: 'alice',
    sub: 'sub-1',
    emailVerified: true,
    phoneVerified: false,
    enabled: true,
    status: 'CONFIRMED',
    mfa,
    customAttributes: {},
  });
  const directory = {
    async deleteSoftwareToken() {
      calls.push('AdminDeleteSoftwareToken');
      if (options.deleteFails) throw Object.assign(new Error('not here'), { name: options.deleteFails });
      return 'deleted' as const;
    },
    async poolMfaConfiguration() {
      calls.push('DescribeUserPool');
      return options.pool;
    },
    async disableTotpPreference() {
      calls.push('AdminSetUserMFAPreference');
    },
    async getUser() {
      calls.push('AdminGetUser');
      return user(options.mfaAfter ?? []);
    },
  } as unknown as UserDirectory;
  // The request as stored: a terminal event's transition ends it, as the conditional write would.
  let current: RecoveryRequest = { ...request, status: options.status ?? request.status };
  const store = {
    getRequest: async () => current,
    getChallenge: async () => undefined,
    move: () => ({}),
    unlockUser: async () => undefined,
    forgetWaitToken: async () => undefined,
    recordCompletion: async () => undefined,
    markNotified: async () => true,
  } as unknown as RecoveryStore;
  const audit = {
    append: async (event: AuditEventInput) => {
      events.push(event);
      return undefined;
    },
    appendWith: async (event: AuditEventInput) => {
      events.push(event);
      if (event.terminal) current = { ...current, status: event.terminal, terminal: event.terminal };
      return true;
    },
  } as unknown as AuditLog;
  const approvals = { close: async () => undefined };
  const clock = () => new Date('2026-11-22T10:05:00.000Z');
  const cognitoBudget = fakeCognitoBudget({ spent: options.budgetSpent ?? false });
  return {
    calls,
    events,
    budget: cognitoBudget,
    deps: {
      directory,
      cognitoBudget,
      store,
      audit,
      approvals,
      clock,
      coolDownSeconds: 0,
      maxCodeAttempts: 5,
    },
  };
}

describe('removing the TOTP factor', () => {
  it('uses AdminDeleteSoftwareToken and succeeds only after reading the user back without TOTP', async () => {
    const { calls, events, deps } = fakes({ pool: 'ON' });
    expect(await removeTotp(request.requestId, deps)).toEqual({
      removed: true,
      method: 'AdminDeleteSoftwareToken',
    });
    expect(calls).toEqual(['AdminDeleteSoftwareToken', 'AdminGetUser']);
    expect(events).toEqual([expect.objectContaining({ type: 'TotpRemoved', outcome: 'VERIFIED' })]);
  });

  it('never reports success when the read-back still shows TOTP', async () => {
    const { events, deps } = fakes({ pool: 'ON', mfaAfter: ['SOFTWARE_TOKEN_MFA'] });
    await expect(removeTotp(request.requestId, deps)).rejects.toMatchObject({ name: 'TotpStillPresent' });
    expect(events).toEqual([]);
  });

  it.each(['UnknownOperationException', 'OperationNotEnabledException'])(
    'falls back to AdminSetUserMFAPreference in an OPTIONAL pool when the region answers %s',
    async (unavailable) => {
      const { calls, deps } = fakes({ pool: 'OPTIONAL', deleteFails: unavailable });
      expect(await removeTotp(request.requestId, deps)).toEqual({
        removed: true,
        method: 'AdminSetUserMFAPreference',
      });
      expect(calls).toEqual([
        'AdminDeleteSoftwareToken',
        'DescribeUserPool',
        'AdminSetUserMFAPreference',
        'AdminGetUser',
      ]);
    },
  );

  it('refuses the preference fallback in an MFA-required pool, where it would answer 200 and change nothing', async () => {
    const { calls, deps } = fakes({ pool: 'ON', deleteFails: 'UnknownOperationException' });
    await expect(removeTotp(request.requestId, deps)).rejects.toMatchObject({
      name: 'TotpResetUnsupported',
      message: expect.stringContaining('requires MFA'),
    });
    expect(calls).not.toContain('AdminSetUserMFAPreference');
  });

  it('takes the Cognito budget for the removal and its read-back in one take, before either call', async () => {
    const { budget, deps } = fakes({ pool: 'ON' });
    await removeTotp(request.requestId, deps);
    expect(budget.takes).toEqual([['AdminDeleteSoftwareToken', 'AdminGetUser']]);
  });

  it('calls no Cognito operation once the budget is spent, and fails with the name the workflow retries', async () => {
    const { calls, events, deps } = fakes({ pool: 'ON', budgetSpent: true });
    await expect(removeTotp(request.requestId, deps)).rejects.toMatchObject({
      name: 'TransientDependencyError',
      retryAfterSeconds: 1,
    });
    expect(calls).toEqual([]);
    expect(events).toEqual([]);
  });

  it('lets other errors through for the workflow to retry or fail', async () => {
    const { deps } = fakes({ pool: 'ON', deleteFails: 'TransientDependencyError' });
    await expect(removeTotp(request.requestId, deps)).rejects.toMatchObject({
      name: 'TransientDependencyError',
    });
  });
});

describe('ending a request as FAILED', () => {
  it('records TOTP_RESET_UNSUPPORTED with the operator-facing explanation', async () => {
    const { events, deps } = fakes({ pool: 'ON', status: 'CONFIRMED' });
    const mailer = { send: async () => undefined };
    await finishRecovery(
      {
        requestId: request.requestId,
        outcome: 'FAILED',
        error: 'TotpResetUnsupported',
        cause: JSON.stringify({
          errorType: 'TotpResetUnsupported',
          errorMessage: 'Use a region with AdminDeleteSoftwareToken.',
        }),
      },
      { ...deps, mailer } as never,
    );
    expect(events).toEqual([
      expect.objectContaining({
        terminal: 'FAILED',
        reasons: ['TOTP_RESET_UNSUPPORTED'],
        details: {
          error: 'TotpResetUnsupported',
          explanation: 'Use a region with AdminDeleteSoftwareToken.',
        },
      }),
    ]);
  });

  it('keeps only the error name of other failures, never their cause', async () => {
    const { events, deps } = fakes({ pool: 'ON', status: 'CONFIRMED' });
    const mailer = { send: async () => undefined };
    await finishRecovery(
      { requestId: request.requestId, outcome: 'FAILED', error: 'States.Timeout', cause: 'anything at all' },
      { ...deps, mailer } as never,
    );
    expect(events[0]?.details).toEqual({ error: 'States.Timeout' });
  });
});

describe('ending a request that failed after its factor was removed', () => {
  it("checks the pool and tells SIGN_OUT_INCOMPLETE, never 'nothing changed', when the factor is gone", async () => {
    const { events, deps } = fakes({ pool: 'ON', status: 'REMOVED', mfaAfter: [] });
    const sent: string[] = [];
    const mailer = { send: async (message: { subject: string }) => sent.push(message.subject) };
    const result = await finishRecovery(
      { requestId: request.requestId, outcome: 'FAILED', error: 'TransientDependencyError' },
      { ...deps, mailer } as never,
    );
    expect(result).toEqual({ outcome: 'SIGN_OUT_INCOMPLETE', needsAttention: true });
    expect(events).toEqual([expect.objectContaining({ terminal: 'SIGN_OUT_INCOMPLETE' })]);
    expect(sent.join(' ')).not.toMatch(/could not be completed/);
  });

  it('tells FAILED when the read-back shows the factor is still there', async () => {
    const { events, deps } = fakes({ pool: 'ON', status: 'REMOVING', mfaAfter: ['SOFTWARE_TOKEN_MFA'] });
    const mailer = { send: async () => undefined };
    const result = await finishRecovery(
      { requestId: request.requestId, outcome: 'FAILED', error: 'TotpStillPresent' },
      { ...deps, mailer } as never,
    );
    expect(result.outcome).toBe('FAILED');
    expect(events[0]).toMatchObject({ terminal: 'FAILED', reasons: ['TOTP_STILL_PRESENT'] });
  });
});
