import * as z from 'zod';
import { loadConfig } from '../shared/config';
import {
  approvalStoreFrom,
  auditLogFrom,
  mailerFrom,
  recoveryStoreFrom,
  systemClock,
} from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { stepInput, workflowStep } from '../shared/step-input';
import { requestApproval } from '../use-cases/support-approval';

const deps = perEnvironment(() => {
  const config = loadConfig([
    'recoveryTableName',
    'auditTableName',
    'fromAddress',
    'publicBaseUrl',
    'approvalTimeoutSeconds',
    'privilegedApprovals',
    'riskPolicy',
    'supportEmail',
  ]);
  return {
    store: recoveryStoreFrom(config),
    approvals: approvalStoreFrom(config),
    audit: auditLogFrom(config),
    mailer: mailerFrom(config),
    clock: systemClock,
    settings: config,
  };
});

const input = stepInput.extend({ taskToken: z.string().min(1) });

/** Workflow step AwaitApproval (`lambda:invoke.waitForTaskToken`): the support API resumes the task. */
export const handler = workflowStep(input, async (parsed) => {
  await requestApproval(parsed, deps());
  return { requested: true };
});
