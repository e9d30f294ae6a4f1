import { type CognitoBudget, type CognitoOperation, categoryOf } from '../../functions/domain/cognito-budget';
import { CognitoBudgetSpentError } from '../../functions/shared/errors';

/**
 * A Cognito budget for unit tests: it remembers what each take asked for and has room, or, when
 * `spent`, refuses every take as the real one does past the budget.
 */
export function fakeCognitoBudget(options: { spent?: boolean } = {}): CognitoBudget & {
  readonly takes: CognitoOperation[][];
} {
  const takes: CognitoOperation[][] = [];
  return {
    takes,
    async take(operations) {
      takes.push([...operations]);
      if (options.spent) throw new CognitoBudgetSpentError([...new Set(operations.map(categoryOf))]);
    },
  };
}
