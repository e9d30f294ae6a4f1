import { loadConfig } from '../shared/config';
import { directoryStepDepsFrom, systemClock } from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { stepInput, workflowStep } from '../shared/step-input';
import { checkRequest } from '../use-cases/workflow-steps';

const deps = perEnvironment(() => {
  const config = loadConfig([
    'recoveryTableName',
    'auditTableName',
    'userPoolId',
    'cognitoBudget',
    'riskPolicy',
  ]);
  return { ...directoryStepDepsFrom(config), policy: config.riskPolicy, clock: systemClock };
});

/** Workflow step LookUpUser: the user, whether a code may be sent, and the request's risk. */
export const handler = workflowStep(stepInput, ({ requestId }) => checkRequest(requestId, deps()));
