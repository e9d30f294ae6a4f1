import { describe, expect, it } from 'vitest';
import {
  budgetWindow,
  type CognitoOperation,
  categoryOf,
  ceilingOf,
  DEFAULT_COGNITO_BUDGET,
  hasRoom,
  msUntilNextWindow,
  spentCategories,
  unitsOf,
} from '../../functions/domain/cognito-budget';
import { createProofTiming, FIRST_PROOF_GUESS_MS } from '../../functions/domain/proof-timing';
import { FUNCTION_NEEDS } from '../../infra/permissions';

describe('the Cognito quota categories', () => {
  it('place each operation where AWS counts it', () => {
    expect(categoryOf('AdminInitiateAuth')).toBe('UserAuthentication');
    expect(categoryOf('AdminGetUser')).toBe('UserRead');
    expect(categoryOf('GetUser')).toBe('UserRead');
    expect(categoryOf('ListUsers')).toBe('UserList');
    expect(categoryOf('AdminListGroupsForUser')).toBe('UserResourceRead');
    expect(categoryOf('AdminListUserAuthEvents')).toBe('UserResourceRead');
    expect(categoryOf('AdminUserGlobalSignOut')).toBe('UserUpdate');
    // Not UserUpdate: the factor and the MFA preference are resources of the user.
    expect(categoryOf('AdminDeleteSoftwareToken')).toBe('UserResourceUpdate');
    expect(categoryOf('AdminSetUserMFAPreference')).toBe('UserResourceUpdate');
    expect(categoryOf('DescribeUserPool')).toBe('UserPoolRead');
  });

  it('cover every Cognito operation a function is granted', () => {
    const granted = Object.values(FUNCTION_NEEDS)
      .flat()
      .filter((need) => need.startsWith('cognito:') || need.startsWith('staff-cognito:'))
      .map((need) => need.slice(need.indexOf(':') + 1) as CognitoOperation);
    expect(granted.length).toBeGreaterThan(5);
    for (const operation of granted) expect(() => categoryOf(operation)).not.toThrow();
  });

  it('default to 20 % of AWS’s default quota of each category, at least 1', () => {
    expect(DEFAULT_COGNITO_BUDGET).toEqual({
      UserAuthentication: 24,
      UserRead: 24,
      UserList: 6,
      UserResourceRead: 10,
      UserUpdate: 5,
      UserResourceUpdate: 5,
      UserPoolRead: 3,
    });
  });
});

describe('taking from the Cognito budget', () => {
  it('costs one unit per call, summed by category', () => {
    expect(unitsOf(['AdminGetUser', 'AdminInitiateAuth', 'GetUser'])).toEqual({
      UserRead: 2,
      UserAuthentication: 1,
    });
    expect(unitsOf([])).toEqual({});
  });

  it('keeps a quarter of each budget from callers on the API, for recoveries already accepted', () => {
    expect(ceilingOf(24, 'workflow')).toBe(24);
    expect(ceilingOf(24, 'public')).toBe(18);
    expect(ceilingOf(24, 'signedIn')).toBe(18);
    expect(ceilingOf(5, 'public')).toBe(4);
    expect(ceilingOf(1, 'public')).toBe(1);
  });

  it('lets exactly the ceiling through in one second, and none more', () => {
    let used: number | undefined;
    let granted = 0;
    for (let take = 0; take < 50; take += 1) {
      if (hasRoom(used, 1, 18)) {
        used = (used ?? 0) + 1;
        granted += 1;
      }
    }
    expect(granted).toBe(18);
  });

  it('lets the first take of a second through, however large, so a step never waits forever', () => {
    expect(hasRoom(undefined, 3, 1)).toBe(true);
    expect(hasRoom(1, 1, 1)).toBe(false);
    expect(hasRoom(2, 2, 4)).toBe(true);
    expect(hasRoom(3, 2, 4)).toBe(false);
  });

  it('names the categories that had no room, and only those', () => {
    const limits = { ...DEFAULT_COGNITO_BUDGET, UserAuthentication: 1 };
    expect(
      spentCategories(
        { UserRead: 3, UserAuthentication: 1 },
        { UserRead: 1, UserAuthentication: 1 },
        limits,
        'public',
      ),
    ).toEqual(['UserAuthentication']);
    expect(spentCategories({ UserRead: 18 }, { UserRead: 1 }, limits, 'public')).toEqual(['UserRead']);
    expect(spentCategories({ UserRead: 18 }, { UserRead: 1 }, limits, 'workflow')).toEqual([]);
  });

  it('counts in one item per second, gone a minute later', () => {
    const first = budgetWindow(1_700_000_000_000);
    expect(budgetWindow(1_700_000_000_999).key).toEqual(first.key);
    expect(budgetWindow(1_700_000_001_000).key).not.toEqual(first.key);
    expect(first.key).toEqual({ pk: 'BUDGET#1700000000', sk: 'COGNITO' });
    expect(first.expiresAt).toBe(1_700_000_060);
    expect(msUntilNextWindow(1_700_000_000_250)).toBe(750);
  });
});

describe('the time a password proof takes', () => {
  const clock = (random = 0) => {
    let now = 0;
    const slept: number[] = [];
    return {
      slept,
      advance: (ms: number) => {
        now += ms;
      },
      timing: createProofTiming({
        now: () => now,
        sleep: async (ms) => void slept.push(ms),
        random: () => random,
      }),
    };
  };

  it('is imitated for an unknown user with one of the recent proofs’ durations', async () => {
    const { slept, advance, timing } = clock(0.99);
    for (const ms of [120, 180, 240]) {
      await timing.measure(async () => advance(ms));
    }
    await timing.imitate();
    expect(slept).toEqual([240]);
  });

  it('is a documented guess before any proof was timed', async () => {
    const { slept, timing } = clock();
    await timing.imitate();
    expect(slept).toEqual([FIRST_PROOF_GUESS_MS]);
  });
});
