import { loadConfig } from '../shared/config';
import { auditLogFrom, recoveryStoreFrom, userDirectoryFrom } from '../shared/dependencies';
import { parseStepInput, stepInput } from '../shared/step-input';
import { signOutUser } from '../use-cases/workflow-steps';

const config = loadConfig(['recoveryTableName', 'auditTableName', 'userPoolId']);
const deps = {
  store: recoveryStoreFrom(config),
  audit: auditLogFrom(config),
  directory: userDirectoryFrom(config),
};

/** Workflow step SignOutUser. */
export async function handler(event: unknown) {
  const { requestId } = parseStepInput(stepInput, event);
  return signOutUser(requestId, deps);
}
