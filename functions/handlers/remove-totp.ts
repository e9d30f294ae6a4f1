import { loadConfig } from '../shared/config';
import { directoryStepDepsFrom } from '../shared/dependencies';
import { stepInput, workflowStep } from '../shared/step-input';
import { removeTotp } from '../use-cases/workflow-steps';

const deps = directoryStepDepsFrom(loadConfig(['recoveryTableName', 'auditTableName', 'userPoolId']));

/** Workflow step RemoveTotp. */
export const handler = workflowStep(stepInput, ({ requestId }) => removeTotp(requestId, deps));
