import { loadConfig } from '../shared/config';
import { directoryStepDepsFrom } from '../shared/dependencies';
import { parseStepInput, stepInput } from '../shared/step-input';
import { lookUpUser } from '../use-cases/workflow-steps';

const config = loadConfig(['recoveryTableName', 'auditTableName', 'userPoolId', 'riskPolicy']);
const deps = { ...directoryStepDepsFrom(config), policy: config.riskPolicy };

/** Workflow step LookUpUser. */
export async function handler(event: unknown) {
  const { requestId } = parseStepInput(stepInput, event);
  return lookUpUser(requestId, deps);
}
