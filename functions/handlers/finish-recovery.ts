import * as z from 'zod';
import { loadConfig } from '../shared/config';
import {
  approvalStoreFrom,
  auditLogFrom,
  mailerFrom,
  recoveryStoreFrom,
  systemClock,
} from '../shared/dependencies';
import { stepInput, workflowStep } from '../shared/step-input';
import { finishRecovery } from '../use-cases/workflow-steps';

const config = loadConfig(['recoveryTableName', 'auditTableName', 'fromAddress']);
const deps = {
  store: recoveryStoreFrom(config),
  audit: auditLogFrom(config),
  mailer: mailerFrom(config),
  approvals: approvalStoreFrom(config),
  clock: systemClock,
};

const input = stepInput.extend({
  outcome: z.enum(['COMPLETED', 'EXPIRED', 'LOCKED', 'CANCELLED', 'DENIED', 'IGNORED', 'FAILED']),
  reason: z.string().max(100).optional(),
  error: z.string().max(500).optional(),
  cause: z.string().max(32_768).optional(),
});

/** Workflow terminal steps (Completed, Expired, Locked, Cancelled, Ignored, Failed). */
export const handler = workflowStep(input, (parsed) => finishRecovery(parsed, deps));
