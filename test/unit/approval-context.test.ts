import { describe, expect, it } from 'vitest';
import type { Approval } from '../../functions/adapters/approval-store';
import type { RecoveryRequest } from '../../functions/adapters/recovery-store';
import type { DirectoryUser, SignInEvents } from '../../functions/adapters/user-directory';
import type { HistoryEvent } from '../../functions/adapters/user-history';
import { maskEmail, maskPhone } from '../../functions/domain/contact-mask';
import { InvalidRequestError } from '../../functions/shared/errors';
import { type ApprovalContextDeps, approvalContext } from '../../functions/use-cases/approval-context';
import { approve, type DecisionDeps } from '../../functions/use-cases/support-approval';
import { fakeCognitoBudget } from '../support/cognito-budget';

const approval: Approval = {
  requestId: 'BBBBBBBBBBBBBBBBBBBBBB',
  username: 'peter',
  sub: 'sub-peter',
  status: 'PENDING',
  risk: { level: 'HIGH', reasons: ['RECENT_RECOVERY:30d'] },
  proof: 'PASSWORD',
  requestedAt: '2026-11-22T10:00:00.000Z',
  confirmedAt: '2026-11-22T10:01:00.000Z',
  requiredApprovals: 1,
  approvers: [],
  decisions: [],
  expiresAt: 1_795_000_000,
};

const request: RecoveryRequest = {
  requestId: approval.requestId,
  username: 'peter',
  sub: 'sub-peter',
  status: 'AWAITING_APPROVAL',
  createdAt: approval.requestedAt,
  decoy: false,
  proof: 'PASSWORD',
  sourceIp: '198.51.100.23',
  userAgent: 'Firefox',
  signals: { lostPassword: false, failedPasswordAttempts: 2, requestsInWindow: 1 },
};

const peter: DirectoryUser = {
  username: 'peter',
  sub: 'sub-peter',
  email: 'peter@example.com',
  emailVerified: true,
  phoneNumber: '+15555550123',
  phoneVerified: true,
  enabled: true,
  status: 'CONFIRMED',
  mfa: ['SOFTWARE_TOKEN_MFA'],
  preferredMfa: 'SOFTWARE_TOKEN_MFA',
  createdAt: '2026-01-02T03:04:05.000Z',
  modifiedAt: '2026-11-20T00:00:00.000Z',
  customAttributes: {},
};

const earlier: HistoryEvent[] = [
  {
    requestId: 'AAAAAAAAAAAAAAAAAAAAAA',
    type: 'RecoveryCompleted',
    at: '2026-11-01T10:05:00.000Z',
    terminal: 'COMPLETED',
  },
  {
    requestId: 'AAAAAAAAAAAAAAAAAAAAAA',
    type: 'RecoveryRequested',
    at: '2026-11-01T10:00:00.000Z',
    sourceIp: '198.51.100.23',
    userAgent: 'Chrome',
    details: { proof: 'PASSWORD' },
  },
  {
    requestId: approval.requestId,
    type: 'RecoveryRequested',
    at: approval.requestedAt,
    sourceIp: '198.51.100.23',
  },
];

/** In-memory stand-ins; `failing` names the reads that throw. */
function deps(
  options: { failing?: string[]; signIns?: SignInEvents; user?: DirectoryUser } = {},
): ApprovalContextDeps {
  const answer =
    <T>(name: string, value: T) =>
    async () => {
      if (options.failing?.includes(name)) {
        throw Object.assign(new Error(`${name} is down`), { name: 'ThrottlingException' });
      }
      return value;
    };
  return {
    customers: {
      getUser: answer('getUser', options.user ?? peter),
      groupsOf: answer('groupsOf', ['staff-of-nothing']),
      signInEventsOf: answer('signInEventsOf', options.signIns ?? { threatProtection: false }),
    },
    store: { getRequest: answer('getRequest', request) },
    history: { requestsOf: answer('requestsOf', { events: earlier, complete: true }) },
    rateLimiter: { count: answer('count', 3) },
    cognitoBudget: fakeCognitoBudget({ spent: options.failing?.includes('cognitoBudget') ?? false }),
    clock: () => new Date('2026-11-22T11:00:00.000Z'),
  };
}

describe('masking contacts for support', () => {
  it('keeps the first letters and the top-level domain of an email, the last two digits of a phone', () => {
    expect(maskEmail('alice@example.com')).toBe('a•••@e•••.com');
    expect(maskEmail('x@mail.example.co.uk')).toBe('x•••@m•••.uk');
    expect(maskEmail('not-an-address')).toBe('•••');
    expect(maskPhone('+15555550189')).toBe('+•••••••89');
    expect(maskPhone('+44 20 7946 0958')).toBe('+•••••••58');
    expect(maskPhone('12')).toBe('•••');
  });
});

describe('what a support decision needs', () => {
  it('reads the account, groups, earlier recoveries, wrong passwords and the client, compared with earlier requests', async () => {
    const context = await approvalContext(approval, deps());
    expect(context).toEqual({
      account: {
        available: true,
        value: {
          createdAt: peter.createdAt,
          modifiedAt: peter.modifiedAt,
          enabled: true,
          status: 'CONFIRMED',
          email: { masked: 'p•••@e•••.com', verified: true },
          phone: { masked: '+•••••••23', verified: true },
          mfa: { settings: ['SOFTWARE_TOKEN_MFA'], preferred: 'SOFTWARE_TOKEN_MFA' },
        },
      },
      groups: { available: true, value: ['staff-of-nothing'] },
      earlierRequests: {
        available: true,
        value: {
          items: [
            {
              requestId: 'AAAAAAAAAAAAAAAAAAAAAA',
              requestedAt: '2026-11-01T10:00:00.000Z',
              proof: 'PASSWORD',
              outcome: 'COMPLETED',
              endedAt: '2026-11-01T10:05:00.000Z',
            },
          ],
          total: 1,
          complete: true,
        },
      },
      wrongPasswords: { available: true, value: { beforeRequest: 2, last24Hours: 3 } },
      client: {
        available: true,
        value: {
          sourceIp: { value: '198.51.100.23', comparedWithEarlier: 'SAME' },
          userAgent: { value: 'Firefox', comparedWithEarlier: 'NEW' },
        },
      },
      signInEvents: { available: false, reason: 'THREAT_PROTECTION_OFF' },
    });
  });

  it('says "not available" for each read that failed, and keeps the others', async () => {
    const context = await approvalContext(
      approval,
      deps({ failing: ['groupsOf', 'requestsOf', 'signInEventsOf'] }),
    );
    expect(context.groups).toEqual({ available: false, reason: 'LOOKUP_FAILED' });
    expect(context.earlierRequests).toEqual({ available: false, reason: 'LOOKUP_FAILED' });
    expect(context.signInEvents).toEqual({ available: false, reason: 'LOOKUP_FAILED' });
    expect(context.account.available).toBe(true);
    expect(context.client).toMatchObject({
      available: true,
      value: { sourceIp: { comparedWithEarlier: 'UNKNOWN' } },
    });
  });

  it('reads the pool only within the Cognito budget: spent, the three pool reads are "not available", the rest shows', async () => {
    const context = await approvalContext(approval, deps({ failing: ['cognitoBudget'] }));
    expect(context.account).toEqual({ available: false, reason: 'LOOKUP_FAILED' });
    expect(context.groups).toEqual({ available: false, reason: 'LOOKUP_FAILED' });
    expect(context.signInEvents).toEqual({ available: false, reason: 'LOOKUP_FAILED' });
    expect(context.earlierRequests.available).toBe(true);
    expect(context.wrongPasswords.available).toBe(true);
  });

  it('shows nothing of another account that took the username since', async () => {
    const context = await approvalContext(
      approval,
      deps({ user: { ...peter, sub: 'someone-else' }, signIns: { threatProtection: true, events: [] } }),
    );
    expect(context.account).toEqual({ available: false, reason: 'NO_ACCOUNT' });
    expect(context.groups).toEqual({ available: false, reason: 'NO_ACCOUNT' });
    expect(context.signInEvents).toEqual({ available: false, reason: 'NO_ACCOUNT' });
  });
});

describe('the verification checklist of a decision', () => {
  it('refuses an item the checklist does not hold before reading anything', async () => {
    const untouched = new Proxy(
      {},
      {
        get: () => {
          throw new Error('nothing may be read');
        },
      },
    );
    await expect(
      approve(
        {
          requestId: approval.requestId,
          reason: 'called back',
          checklist: ['Called the user back', 'Looked at the moon'],
          staff: { sub: 's', username: 'sam', groups: [], accessToken: 't' },
        },
        { ...(untouched as DecisionDeps), checklist: ['Called the user back'] },
      ),
    ).rejects.toEqual(
      new InvalidRequestError('only items of the verification checklist can be ticked', [
        { path: 'checklist.1', message: 'not an item of the checklist' },
      ]),
    );
  });
});
