import { loadConfig } from '../shared/config';
import { directoryStepDepsFrom } from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { stepInput, workflowStep } from '../shared/step-input';
import { signOutUser } from '../use-cases/workflow-steps';

const deps = perEnvironment(() => {
  return directoryStepDepsFrom(
    loadConfig(['recoveryTableName', 'auditTableName', 'userPoolId', 'cognitoBudget']),
  );
});

/** Workflow step SignOutUser. */
export const handler = workflowStep(stepInput, ({ requestId }) => signOutUser(requestId, deps()));
