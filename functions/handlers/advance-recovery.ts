import { loadConfig } from '../shared/config';
import { auditLogFrom, recoveryStoreFrom, systemClock } from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { stepInput, workflowStep } from '../shared/step-input';
import { advanceRecovery } from '../use-cases/advance-recovery';

const deps = perEnvironment(() => {
  const config = loadConfig(['recoveryTableName', 'auditTableName', 'coolDownSeconds']);
  return {
    store: recoveryStoreFrom(config),
    audit: auditLogFrom(config),
    clock: systemClock,
    coolDownSeconds: config.coolDownSeconds,
  };
});

/** Workflow step Advance: after every wait, the next step as the request item says. */
export const handler = workflowStep(stepInput, ({ requestId }) => advanceRecovery(requestId, deps()));
