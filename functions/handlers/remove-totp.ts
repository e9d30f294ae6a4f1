import { loadConfig } from '../shared/config';
import { directoryStepDepsFrom, systemClock } from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { stepInput, workflowStep } from '../shared/step-input';
import { removeTotp } from '../use-cases/workflow-steps';

const deps = perEnvironment(() => {
  const config = loadConfig([
    'recoveryTableName',
    'auditTableName',
    'userPoolId',
    'cognitoBudget',
    'coolDownSeconds',
  ]);
  return {
    ...directoryStepDepsFrom(config),
    clock: systemClock,
    coolDownSeconds: config.coolDownSeconds,
  };
});

/** Workflow step RemoveTotp: does nothing (removed: false) unless its guarded transition to REMOVING holds. */
export const handler = workflowStep(stepInput, ({ requestId }) => removeTotp(requestId, deps()));
