import { type RiskPolicy, riskPolicySchema } from '../functions/domain/risk';
import { readCheckedJson } from './json-file';

/**
 * Reads and validates the local stack's risk policy file (the same shape as the CDK prop
 * `riskPolicy`); a bad file stops `npm start` with the file, the field and what is wrong.
 */
export function readRiskPolicyFile(path: string): RiskPolicy {
  const raw = readCheckedJson(path, 'risk policy', (value) => {
    const parsed = riskPolicySchema.safeParse(value);
    return parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
  });
  return riskPolicySchema.parse(raw);
}
