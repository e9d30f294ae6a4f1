import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CognitoBudgetOptions, createCognitoBudget } from '../../functions/adapters/cognito-budget';
import {
  budgetWindow,
  type CognitoCategory,
  DEFAULT_COGNITO_BUDGET,
} from '../../functions/domain/cognito-budget';
import { CognitoBudgetSpentError } from '../../functions/shared/errors';
import { recoveryTableSchema } from '../../functions/shared/table-schemas';
import { ensureTable } from '../../local/seed/tables';
import { dynamoDbLocal } from '../support/dynamodb-local';

const TABLE = 'budget-recoveries';
const local = dynamoDbLocal();
beforeAll(async () => {
  await ensureTable(local.client, TABLE, recoveryTableSchema);
});

// Each test counts in seconds of its own, far apart: windows never mix between tests.
let nextSecond = 1_000_000;
/** A budget on a clock the test moves: `sleep` moves it too. */
function budget(options: Partial<CognitoBudgetOptions> & Pick<CognitoBudgetOptions, 'caller'>) {
  nextSecond += 1000;
  let now = nextSecond * 1000 + 250;
  const spent: CognitoCategory[][] = [];
  const slept: number[] = [];
  const taker = createCognitoBudget(local.documents, TABLE, {
    limits: DEFAULT_COGNITO_BUDGET,
    onSpent: (categories) => spent.push([...categories]),
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    ...options,
  });
  return {
    taker,
    spent,
    slept,
    at: () => now,
    nextSecond: () => {
      now = (Math.floor(now / 1000) + 1) * 1000;
    },
  };
}

describe('the Cognito budget in DynamoDB', () => {
  it('lets exactly the ceiling of 50 parallel takes through in one second, refusing the rest by name', async () => {
    const { taker, spent, nextSecond } = budget({ caller: 'public' });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => taker.take(['AdminGetUser', 'AdminInitiateAuth'])),
    );
    // 24 per second, of which the API may fill three quarters.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(18);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(32);
    for (const { reason } of refused) {
      expect(reason).toBeInstanceOf(CognitoBudgetSpentError);
      expect(reason).toMatchObject({ name: 'TransientDependencyError', retryAfterSeconds: 1 });
    }
    expect(spent).toHaveLength(32);
    expect(spent[0]?.sort()).toEqual(['UserAuthentication', 'UserRead']);
    nextSecond();
    await expect(taker.take(['AdminInitiateAuth'])).resolves.toBeUndefined();
  });

  it('takes every category of a step in one write, or none: one full category refuses the whole take', async () => {
    const { taker, spent, at } = budget({
      caller: 'workflow',
      limits: { ...DEFAULT_COGNITO_BUDGET, UserResourceUpdate: 1 },
    });
    await taker.take(['AdminDeleteSoftwareToken', 'AdminGetUser']);
    await expect(taker.take(['AdminDeleteSoftwareToken', 'AdminGetUser'])).rejects.toMatchObject({
      categories: ['UserResourceUpdate'],
    });
    expect(spent).toEqual([['UserResourceUpdate']]);
    const window = await local.documents.send(
      new GetCommand({ TableName: TABLE, Key: budgetWindow(at()).key, ConsistentRead: true }),
    );
    expect(window.Item).toMatchObject({
      UserResourceUpdate: 1,
      UserRead: 1,
      ttl: budgetWindow(at()).expiresAt,
    });
  });

  it('leaves the last quarter to the workflow: the API is refused where a workflow step still gets through', async () => {
    const at = 4_000_000_000;
    const limits = { ...DEFAULT_COGNITO_BUDGET, UserRead: 4 };
    const options = { limits, onSpent: () => undefined, now: () => at };
    const api = createCognitoBudget(local.documents, TABLE, { ...options, caller: 'public' });
    const workflow = createCognitoBudget(local.documents, TABLE, { ...options, caller: 'workflow' });
    for (let i = 0; i < 3; i += 1) await api.take(['AdminGetUser']);
    await expect(api.take(['AdminGetUser'])).rejects.toBeInstanceOf(CognitoBudgetSpentError);
    await expect(workflow.take(['AdminGetUser'])).resolves.toBeUndefined();
    await expect(workflow.take(['AdminGetUser'])).rejects.toBeInstanceOf(CognitoBudgetSpentError);
  });

  it('makes a signed-in caller wait for the next second rather than refuse it at once', async () => {
    const { taker, spent, slept } = budget({
      caller: 'signedIn',
      limits: { ...DEFAULT_COGNITO_BUDGET, UserRead: 1 },
    });
    await taker.take(['GetUser']);
    await taker.take(['GetUser']);
    expect(slept).toEqual([750]);
    expect(spent).toEqual([]);
  });
});
