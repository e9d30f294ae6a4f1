import { loadConfig } from '../shared/config';
import { directoryStepDepsFrom } from '../shared/dependencies';
import { stepInput, workflowStep } from '../shared/step-input';
import { lookUpUser } from '../use-cases/workflow-steps';

const config = loadConfig([
  'recoveryTableName',
  'auditTableName',
  'userPoolId',
  'cognitoBudget',
  'riskPolicy',
]);
const deps = { ...directoryStepDepsFrom(config), policy: config.riskPolicy };

/** Workflow step LookUpUser. */
export const handler = workflowStep(stepInput, ({ requestId }) => lookUpUser(requestId, deps));
