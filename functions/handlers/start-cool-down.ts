import * as z from 'zod';
import { loadConfig } from '../shared/config';
import { auditLogFrom, mailerFrom, recoveryStoreFrom, systemClock } from '../shared/dependencies';
import { stepInput, workflowStep } from '../shared/step-input';
import { startCoolDown } from '../use-cases/support-approval';

const config = loadConfig([
  'recoveryTableName',
  'auditTableName',
  'fromAddress',
  'publicBaseUrl',
  'coolDownSeconds',
]);
const deps = {
  store: recoveryStoreFrom(config),
  audit: auditLogFrom(config),
  mailer: mailerFrom(config),
  clock: systemClock,
  coolDownSeconds: config.coolDownSeconds,
  publicBaseUrl: config.publicBaseUrl,
};

const input = stepInput.extend({ taskToken: z.string().min(1) });

/** Workflow step CoolDown (`lambda:invoke.waitForTaskToken`): its timeout lets the reset go ahead. */
export const handler = workflowStep(input, async (parsed) => {
  await startCoolDown(parsed, deps);
  return { started: true };
});
