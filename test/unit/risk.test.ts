import { describe, expect, it } from 'vitest';
import {
  assessRisk,
  DEFAULT_RISK_POLICY,
  emailChangeTime,
  type RiskSignals,
  riskPolicySchema,
} from '../../functions/domain/risk';

const now = new Date('2026-11-22T12:00:00.000Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();

/** A regular, long-standing user making a first request with the right password. */
const quiet: RiskSignals = {
  groups: ['staff'],
  requestsInWindow: 1,
  accountCreatedAt: daysAgo(400),
  failedPasswordAttempts: 0,
  lostPassword: false,
};

const policy = riskPolicySchema.parse({ emailChanged: { attribute: 'custom:email_changed_at', days: 14 } });

describe('assessing risk', () => {
  it('ignores the rules that distrust the mailbox for a request proved with a saved recovery code, not the others', () => {
    const mailboxSignals = {
      lastCompletedRecoveryAt: daysAgo(2),
      requestsInWindow: 3,
      emailChangedAt: daysAgo(1),
    };
    expect(assessRisk({ ...quiet, ...mailboxSignals }, policy, now).reasons).toEqual([
      'RECENT_RECOVERY:30d',
      'REPEATED_REQUESTS:3',
      'EMAIL_CHANGED:14d',
    ]);
    expect(assessRisk({ ...quiet, ...mailboxSignals, provedWithRecoveryCode: true }, policy, now)).toEqual({
      level: 'LOW',
      reasons: [],
    });
    expect(
      assessRisk(
        {
          ...quiet,
          ...mailboxSignals,
          groups: ['admins'],
          failedPasswordAttempts: 3,
          provedWithRecoveryCode: true,
        },
        policy,
        now,
      ).reasons,
    ).toEqual(['PRIVILEGED_GROUP:admins', 'FAILED_PASSWORDS:3']);
  });

  it('rates a regular user with no signal LOW with no reasons', () => {
    expect(assessRisk(quiet, policy, now)).toEqual({ level: 'LOW', reasons: [] });
  });

  it.each([
    ['a member of a privileged group', { groups: ['admins'] }, 'PRIVILEGED_GROUP:admins'],
    ['a user who recovered 29 days ago', { lastCompletedRecoveryAt: daysAgo(29) }, 'RECENT_RECOVERY:30d'],
    ['the third request in the window', { requestsInWindow: 3 }, 'REPEATED_REQUESTS:3'],
    ['an account created 6 days ago', { accountCreatedAt: daysAgo(6) }, 'NEW_ACCOUNT:7d'],
    ['three wrong passwords before the request', { failedPasswordAttempts: 3 }, 'FAILED_PASSWORDS:3'],
    ['an email changed 13 days ago', { emailChangedAt: daysAgo(13) }, 'EMAIL_CHANGED:14d'],
    ['a user who also lost the password', { lostPassword: true }, 'LOST_PASSWORD'],
  ])('rates %s HIGH and says why', (_, signal, reason) => {
    expect(assessRisk({ ...quiet, ...signal }, policy, now)).toEqual({ level: 'HIGH', reasons: [reason] });
  });

  it.each([
    ['a recovery 31 days ago', { lastCompletedRecoveryAt: daysAgo(31) }],
    ['the second request in the window', { requestsInWindow: 2 }],
    ['an account created 8 days ago', { accountCreatedAt: daysAgo(8) }],
    ['two wrong passwords', { failedPasswordAttempts: 2 }],
    ['an email changed 15 days ago', { emailChangedAt: daysAgo(15) }],
    ['an unreadable email change date', { emailChangedAt: 'yesterday' }],
  ])('keeps %s LOW', (_, signal) => {
    expect(assessRisk({ ...quiet, ...signal }, policy, now).level).toBe('LOW');
  });

  it('adds reasons up', () => {
    const risk = assessRisk(
      { ...quiet, groups: ['admins'], lostPassword: true, accountCreatedAt: daysAgo(1) },
      policy,
      now,
    );
    expect(risk).toEqual({
      level: 'HIGH',
      reasons: ['LOST_PASSWORD', 'PRIVILEGED_GROUP:admins', 'NEW_ACCOUNT:7d'],
    });
  });

  it('turns a rule off with 0, but never the lost-password rule', () => {
    const off = riskPolicySchema.parse({
      privilegedGroups: [],
      recentRecoveryDays: 0,
      repeatedRequests: 0,
      newAccountDays: 0,
      failedPasswordAttempts: 0,
    });
    const noisy: RiskSignals = {
      groups: ['admins'],
      lastCompletedRecoveryAt: daysAgo(1),
      requestsInWindow: 50,
      accountCreatedAt: daysAgo(0),
      failedPasswordAttempts: 20,
      emailChangedAt: daysAgo(0),
      lostPassword: false,
    };
    expect(assessRisk(noisy, off, now)).toEqual({ level: 'LOW', reasons: [] });
    expect(assessRisk({ ...noisy, lostPassword: true }, off, now).reasons).toEqual(['LOST_PASSWORD']);
  });
});

describe('the risk policy as configuration', () => {
  it('has safe defaults for every rule', () => {
    expect(DEFAULT_RISK_POLICY).toEqual({
      privilegedGroups: ['admins'],
      recentRecoveryDays: 30,
      repeatedRequests: 3,
      newAccountDays: 7,
      failedPasswordAttempts: 3,
    });
  });

  it.each([
    ['an unknown rule', { newAcountDays: 7 }],
    ['a negative threshold', { failedPasswordAttempts: -1 }],
    ['a fractional day count', { newAccountDays: 1.5 }],
    ['a group name with spaces', { privilegedGroups: ['domain admins'] }],
    ['a standard attribute for the email change date', { emailChanged: { attribute: 'email', days: 3 } }],
  ])('refuses %s', (_, value) => {
    expect(riskPolicySchema.safeParse(value).success).toBe(false);
  });

  it('reads an email change date as ISO 8601 or epoch seconds', () => {
    expect(emailChangeTime('2026-11-20T10:00:00Z')).toBe('2026-11-20T10:00:00.000Z');
    expect(emailChangeTime('1795000000')).toBe(new Date(1_795_000_000_000).toISOString());
    expect(emailChangeTime('soon')).toBeUndefined();
    expect(emailChangeTime(undefined)).toBeUndefined();
  });
});
