import { loadConfig } from '../shared/config';
import { directoryStepDepsFrom } from '../shared/dependencies';
import { parseStepInput, stepInput } from '../shared/step-input';
import { lookUpUser } from '../use-cases/workflow-steps';

const deps = directoryStepDepsFrom(loadConfig(['recoveryTableName', 'auditTableName', 'userPoolId']));

/** Workflow step LookUpUser. */
export async function handler(event: unknown) {
  const { requestId } = parseStepInput(stepInput, event);
  return lookUpUser(requestId, deps);
}
