import * as z from 'zod';

/**
 * Amazon Cognito limits the rate of user-pool API calls by category: one quota per category for the
 * whole account in a Region, every pool and app together. The product's calls share each quota with
 * the operator's own apps, so it keeps to a budget of its own in each category it calls.
 *
 * The categories the product calls, AWS's default quota of each (requests per second; UserRead,
 * UserAuthentication and UserResourceRead can be raised, the others not) and the operations of each
 * that the product makes, from "Amazon Cognito user pools API operation categories and request rate
 * quotas": https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html#category_operations
 */
export const COGNITO_CATEGORIES = {
  UserAuthentication: { defaultQuota: 120, operations: ['AdminInitiateAuth'] },
  UserRead: { defaultQuota: 120, operations: ['AdminGetUser', 'GetUser'] },
  UserList: { defaultQuota: 30, operations: ['ListUsers'] },
  UserResourceRead: {
    defaultQuota: 50,
    operations: ['AdminListGroupsForUser', 'AdminListDevices', 'AdminListUserAuthEvents'],
  },
  UserUpdate: { defaultQuota: 25, operations: ['AdminUserGlobalSignOut'] },
  UserResourceUpdate: {
    defaultQuota: 25,
    operations: ['AdminDeleteSoftwareToken', 'AdminSetUserMFAPreference', 'AdminForgetDevice'],
  },
  UserPoolRead: { defaultQuota: 15, operations: ['DescribeUserPool'] },
} as const;

export type CognitoCategory = keyof typeof COGNITO_CATEGORIES;
/** A Cognito operation the product calls. */
export type CognitoOperation = (typeof COGNITO_CATEGORIES)[CognitoCategory]['operations'][number];

const CATEGORIES = Object.keys(COGNITO_CATEGORIES) as CognitoCategory[];

/** The quota category an operation counts against. */
export function categoryOf(operation: CognitoOperation): CognitoCategory {
  const category = CATEGORIES.find((name) =>
    (COGNITO_CATEGORIES[name].operations as readonly string[]).includes(operation),
  );
  if (!category) throw new Error(`${operation} is in no Cognito quota category`);
  return category;
}

/** The share of each default quota the product takes unless told otherwise: the rest stays the operator's. */
export const DEFAULT_QUOTA_SHARE = 0.2;

/** Requests per second in each category by default: 20 % of AWS's default quota, at least 1. */
export const DEFAULT_COGNITO_BUDGET = Object.fromEntries(
  CATEGORIES.map((name) => [
    name,
    Math.max(1, Math.floor(COGNITO_CATEGORIES[name].defaultQuota * DEFAULT_QUOTA_SHARE)),
  ]),
) as Readonly<Record<CognitoCategory, number>>;

/** Requests per second the product may make in each category. */
export type CognitoBudgetLimits = Readonly<Record<CognitoCategory, number>>;

/**
 * A budget above this cannot be kept: every take writes one item of the second, and DynamoDB takes at
 * most 1,000 writes per second on one item (its partition's limit), refused takes included.
 */
export const MAX_BUDGET_PER_SECOND = 1000;

/** The budget as operators set it (COGNITO_BUDGET, the CDK prop `cognitoBudget`): unset categories keep their default. */
export const cognitoBudgetSchema = z
  .strictObject(
    Object.fromEntries(
      CATEGORIES.map((name) => [name, z.number().int().min(1).max(MAX_BUDGET_PER_SECOND).optional()]),
    ) as Record<CognitoCategory, z.ZodOptional<z.ZodNumber>>,
  )
  .transform((set): CognitoBudgetLimits => {
    const given = Object.fromEntries(Object.entries(set).filter(([, value]) => value !== undefined));
    return { ...DEFAULT_COGNITO_BUDGET, ...given };
  });

/**
 * Who takes from the budget. `public`: POST /recoveries, anyone on the internet, refused at once.
 * `signedIn`: users and staff with a token (recovery codes, the support console), who may wait a
 * moment for the next second. `workflow`: the steps of recoveries already accepted, refused at once
 * (Step Functions retries the step later).
 */
export type BudgetCaller = 'public' | 'signedIn' | 'workflow';

/** How long a caller waits for room in the next seconds before it is refused. */
export const BUDGET_WAIT_MS: Readonly<Record<BudgetCaller, number>> = {
  public: 0,
  // A support list reads three things per card, four cards at a time: at the default budgets that
  // needs a few seconds, not a list of "not available".
  signedIn: 2000,
  workflow: 0,
};

/**
 * The most a caller may fill a category to in one second. Callers on the API leave a quarter of each
 * budget to the workflow, so a flood of requests never starves recoveries already accepted.
 */
export function ceilingOf(limit: number, caller: BudgetCaller): number {
  return caller === 'workflow' ? limit : limit - Math.floor(limit / 4);
}

/** Units per category: one per call a step is about to make. */
export type BudgetUnits = Partial<Record<CognitoCategory, number>>;

/** The units the calls cost, by category. */
export function unitsOf(operations: readonly CognitoOperation[]): BudgetUnits {
  const units: Partial<Record<CognitoCategory, number>> = {};
  for (const operation of operations) {
    const category = categoryOf(operation);
    units[category] = (units[category] ?? 0) + 1;
  }
  return units;
}

/**
 * A fixed one-second window, one item per second holding a counter per category. Why not a token
 * bucket: its refill (tokens + elapsed x rate, capped) needs arithmetic a DynamoDB update expression
 * cannot do, so a bucket takes a read before its write, or two writes. The window is one conditional
 * write (ADD each counter, on condition that each stays within its ceiling), and one write covers a
 * whole step's calls. Its cost: up to twice a budget across the edge of two seconds, which at 20 % of
 * a quota stays far inside it. The item is hot, per second and for every category: DynamoDB allows
 * 1,000 writes (and 3,000 strongly consistent reads) per second on one item; API Gateway's throttle
 * (50 per second by default) keeps the public route far below that.
 */
export function budgetWindow(nowMs: number) {
  const second = Math.floor(nowMs / 1000);
  return {
    key: { pk: `BUDGET#${second}`, sk: 'COGNITO' },
    // Long gone by the time anyone could read it: a window is worth nothing after its second.
    expiresAt: second + 60,
  };
}

/** Whether a window with `used` units in a category has room for `units` more under `ceiling`. */
export function hasRoom(used: number | undefined, units: number, ceiling: number): boolean {
  // The first take of a second always passes, however large: a step never waits forever.
  return used === undefined || used + units <= ceiling;
}

/** The categories in which a window, as it stood, had no room for a take. */
export function spentCategories(
  used: Partial<Record<CognitoCategory, number>>,
  units: BudgetUnits,
  limits: CognitoBudgetLimits,
  caller: BudgetCaller,
): CognitoCategory[] {
  return (Object.entries(units) as [CognitoCategory, number][])
    .filter(([category, count]) => !hasRoom(used[category], count, ceilingOf(limits[category], caller)))
    .map(([category]) => category);
}

/** Milliseconds until the next window opens. */
export const msUntilNextWindow = (nowMs: number) => 1000 - (nowMs % 1000);

/** The product's share of the Cognito quotas: each step takes once, before its first Cognito call. */
export interface CognitoBudget {
  /**
   * Takes one unit per call in one write; throws CognitoBudgetSpentError (Retry-After 1 s) when a
   * category has no room left this second, and no call may then be made.
   */
  take(operations: readonly CognitoOperation[]): Promise<void>;
}
