import { loadConfig } from '../shared/config';
import { auditLogFrom, recoveryStoreFrom, systemClock } from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { stepInput, workflowStep } from '../shared/step-input';
import { scoreRisk } from '../use-cases/workflow-steps';

const deps = perEnvironment(() => {
  const config = loadConfig(['recoveryTableName', 'auditTableName', 'riskPolicy']);
  return {
    store: recoveryStoreFrom(config),
    audit: auditLogFrom(config),
    clock: systemClock,
    policy: config.riskPolicy,
  };
});

/** Workflow step AssessRisk. */
export const handler = workflowStep(stepInput, ({ requestId }) => scoreRisk(requestId, deps()));
