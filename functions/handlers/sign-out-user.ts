import { loadConfig } from '../shared/config';
import { directoryStepDepsFrom } from '../shared/dependencies';
import { parseStepInput, stepInput } from '../shared/step-input';
import { signOutUser } from '../use-cases/workflow-steps';

const deps = directoryStepDepsFrom(loadConfig(['recoveryTableName', 'auditTableName', 'userPoolId']));

/** Workflow step SignOutUser. */
export async function handler(event: unknown) {
  const { requestId } = parseStepInput(stepInput, event);
  return signOutUser(requestId, deps);
}
