import { loadConfig } from '../shared/config';
import { auditLogFrom, recoveryStoreFrom, systemClock } from '../shared/dependencies';
import { stepInput, workflowStep } from '../shared/step-input';
import { advanceRecovery } from '../use-cases/advance-recovery';

const config = loadConfig(['recoveryTableName', 'auditTableName', 'coolDownSeconds']);
const deps = {
  store: recoveryStoreFrom(config),
  audit: auditLogFrom(config),
  clock: systemClock,
  coolDownSeconds: config.coolDownSeconds,
};

/** Workflow step Advance: after every wait, the next step as the request item says. */
export const handler = workflowStep(stepInput, ({ requestId }) => advanceRecovery(requestId, deps));
