import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  BUDGET_WAIT_MS,
  type BudgetCaller,
  type BudgetUnits,
  budgetWindow,
  type CognitoBudget,
  type CognitoBudgetLimits,
  type CognitoCategory,
  type CognitoOperation,
  ceilingOf,
  msUntilNextWindow,
  spentCategories,
  unitsOf,
} from '../domain/cognito-budget';
import { CognitoBudgetSpentError } from '../shared/errors';

export interface CognitoBudgetOptions {
  readonly limits: CognitoBudgetLimits;
  readonly caller: BudgetCaller;
  /** Told each time a take is refused, with the categories that had no room (the metric). */
  readonly onSpent: (categories: readonly CognitoCategory[]) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The Cognito budget in the recoveries table: one conditional UpdateItem per take (domain/cognito-budget.ts). */
export function createCognitoBudget(
  db: DynamoDBDocumentClient,
  tableName: string,
  options: CognitoBudgetOptions,
): CognitoBudget {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  /** One write; resolves the categories that had no room, none when the take went through. */
  async function takeOnce(units: BudgetUnits): Promise<CognitoCategory[]> {
    const window = budgetWindow(now());
    const entries = Object.entries(units) as [CognitoCategory, number][];
    const names: Record<string, string> = { '#ttl': 'ttl' };
    const values: Record<string, number> = { ':ttl': window.expiresAt };
    const adds: string[] = [];
    const conditions: string[] = [];
    for (const [i, [category, count]] of entries.entries()) {
      names[`#c${i}`] = category;
      values[`:n${i}`] = count;
      values[`:room${i}`] = ceilingOf(options.limits[category], options.caller) - count;
      adds.push(`#c${i} :n${i}`);
      conditions.push(`(attribute_not_exists(#c${i}) OR #c${i} <= :room${i})`);
    }
    try {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: window.key,
          UpdateExpression: `ADD ${adds.join(', ')} SET #ttl = :ttl`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          // The refusal tells which category was full, without a read.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return [];
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The item comes back as raw attribute values, even through the document client.
      const item = (error.Item ?? {}) as Record<string, { N?: string } | undefined>;
      const used = Object.fromEntries(
        entries.flatMap(([category]) => {
          const count = item[category]?.N;
          return count === undefined ? [] : [[category, Number(count)]];
        }),
      );
      const spent = spentCategories(used, units, options.limits, options.caller);
      // A refusal without the item (an emulator that does not return it) names every category asked for.
      return spent.length > 0 ? spent : entries.map(([category]) => category);
    }
  }

  return {
    async take(operations: readonly CognitoOperation[]): Promise<void> {
      const units = unitsOf(operations);
      if (Object.keys(units).length === 0) return;
      const deadline = now() + BUDGET_WAIT_MS[options.caller];
      for (;;) {
        const spent = await takeOnce(units);
        if (spent.length === 0) return;
        const wait = msUntilNextWindow(now());
        if (now() + wait > deadline) {
          options.onSpent(spent);
          throw new CognitoBudgetSpentError(spent);
        }
        await sleep(wait);
      }
    },
  };
}
