import { readFileSync } from 'node:fs';
import { type RiskPolicy, riskPolicySchema } from '../functions/domain/risk';

/**
 * Reads and validates the local stack's risk policy file (the same shape as the CDK prop
 * `riskPolicy`); a bad file stops `npm start` with the file, the field and what is wrong.
 */
export function readRiskPolicyFile(path: string): RiskPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`risk policy ${path}: not readable JSON (${(error as Error).message})`);
  }
  const parsed = riskPolicySchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
    throw new Error(`risk policy ${path}: ${problems.join('; ')}`);
  }
  return parsed.data;
}
