import { loadConfig } from '../shared/config';
import { auditLogFrom, recoveryStoreFrom, systemClock } from '../shared/dependencies';
import { stepInput, workflowStep } from '../shared/step-input';
import { scoreRisk } from '../use-cases/workflow-steps';

const config = loadConfig(['recoveryTableName', 'auditTableName', 'riskPolicy']);
const deps = {
  store: recoveryStoreFrom(config),
  audit: auditLogFrom(config),
  clock: systemClock,
  policy: config.riskPolicy,
};

/** Workflow step AssessRisk. */
export const handler = workflowStep(stepInput, ({ requestId }) => scoreRisk(requestId, deps));
