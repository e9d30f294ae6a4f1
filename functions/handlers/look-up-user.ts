import { loadConfig } from '../shared/config';
import { directoryStepDepsFrom } from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { stepInput, workflowStep } from '../shared/step-input';
import { lookUpUser } from '../use-cases/workflow-steps';

const deps = perEnvironment(() => {
  const config = loadConfig([
    'recoveryTableName',
    'auditTableName',
    'userPoolId',
    'cognitoBudget',
    'riskPolicy',
  ]);
  return { ...directoryStepDepsFrom(config), policy: config.riskPolicy };
});

/** Workflow step LookUpUser. */
export const handler = workflowStep(stepInput, ({ requestId }) => lookUpUser(requestId, deps()));
