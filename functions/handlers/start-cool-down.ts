import * as z from 'zod';
import { loadConfig } from '../shared/config';
import { mailerFrom, recoveryStoreFrom } from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { stepInput, workflowStep } from '../shared/step-input';
import { startCoolDown } from '../use-cases/support-approval';

const deps = perEnvironment(() => {
  const config = loadConfig(['recoveryTableName', 'fromAddress', 'publicBaseUrl']);
  return {
    store: recoveryStoreFrom(config),
    mailer: mailerFrom(config),
    publicBaseUrl: config.publicBaseUrl,
  };
});

const input = stepInput.extend({ taskToken: z.string().min(1) });

/** Workflow step CoolDown (`lambda:invoke.waitForTaskToken`): its timer ends at the reset time Advance fixed. */
export const handler = workflowStep(input, async (parsed) => {
  await startCoolDown(parsed, deps());
  return { started: true };
});
