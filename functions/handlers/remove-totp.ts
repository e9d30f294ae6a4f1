import { loadConfig } from '../shared/config';
import { directoryStepDepsFrom } from '../shared/dependencies';
import { parseStepInput, stepInput } from '../shared/step-input';
import { removeTotp } from '../use-cases/workflow-steps';

const deps = directoryStepDepsFrom(loadConfig(['recoveryTableName', 'auditTableName', 'userPoolId']));

/** Workflow step RemoveTotp. */
export async function handler(event: unknown) {
  const { requestId } = parseStepInput(stepInput, event);
  return removeTotp(requestId, deps);
}
