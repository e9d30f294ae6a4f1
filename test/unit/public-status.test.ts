import { describe, expect, it } from 'vitest';
import type { RecoveryRequest } from '../../functions/adapters/recovery-store';
import { publicStatus } from '../../functions/use-cases/get-recovery-status';

const base: RecoveryRequest = {
  requestId: 'AAAAAAAAAAAAAAAAAAAAAA',
  username: 'alice',
  sub: 'sub-1',
  status: 'CODE_SENT',
  createdAt: '2026-01-01T00:00:00.000Z',
  decoy: false,
  proof: 'PASSWORD',
  sourceIp: '127.0.0.1',
  userAgent: 'test',
  codeExpiresAt: 2000,
};

describe('the status a requester sees', () => {
  it('shows attempts left and the expiry while a code is pending', () => {
    expect(publicStatus(base, { attempts: 2, maxAttempts: 5 }, 1000, 5)).toEqual({
      requestId: base.requestId,
      status: 'CODE_SENT',
      codeExpiresAt: new Date(2_000_000).toISOString(),
      attemptsLeft: 3,
    });
  });

  it('makes a decoy look exactly like a pending request, then like an expired one', () => {
    const decoy = { ...base, decoy: true, status: 'IGNORED' as const, terminal: 'IGNORED' as const };
    expect(publicStatus(decoy, undefined, 1000, 5)).toEqual(
      publicStatus(base, { attempts: 0, maxAttempts: 5 }, 1000, 5),
    );
    expect(publicStatus(decoy, undefined, 2000, 5)).toEqual({ requestId: base.requestId, status: 'EXPIRED' });
  });

  it('shows a request whose code is not out yet exactly like one whose code was sent', () => {
    const started = { ...base, status: 'STARTED' as const };
    expect(publicStatus(started, undefined, 1000, 5)).toEqual(
      publicStatus(base, { attempts: 0, maxAttempts: 5 }, 1000, 5),
    );
  });

  it('locks a decoy after its last wrong code, like a real request', () => {
    const decoy = { ...base, decoy: true, status: 'IGNORED' as const, terminal: 'IGNORED' as const };
    expect(publicStatus(decoy, { attempts: 5, maxAttempts: 5 }, 1000, 5).status).toBe('LOCKED');
  });

  it('tells a removed factor with unfinished sign-out apart, and an aborted request as failed', () => {
    expect(publicStatus({ ...base, status: 'SIGN_OUT_INCOMPLETE' }, undefined, 1000, 5).status).toBe(
      'SIGN_OUT_INCOMPLETE',
    );
    expect(publicStatus({ ...base, status: 'ABORTED' }, undefined, 1000, 5).status).toBe('FAILED');
    expect(publicStatus({ ...base, status: 'REMOVING' }, undefined, 1000, 5).status).toBe('CONFIRMED');
  });

  it('never shows the user, the email, the risk or the reasons', () => {
    const shown = publicStatus(
      { ...base, email: 'a@example.com', risk: { level: 'HIGH', reasons: ['X'] } },
      undefined,
      1000,
      5,
    );
    expect(JSON.stringify(shown)).not.toMatch(/alice|sub-1|example|HIGH|127\.0\.0\.1/);
  });
});
