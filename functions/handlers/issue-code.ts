import * as z from 'zod';
import { loadConfig } from '../shared/config';
import {
  auditLogFrom,
  mailerFrom,
  pepperFrom,
  recoveryStoreFrom,
  systemClock,
  texterFrom,
} from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { stepInput, workflowStep } from '../shared/step-input';
import { issueCode } from '../use-cases/workflow-steps';

const deps = perEnvironment(() => {
  const config = loadConfig([
    'recoveryTableName',
    'auditTableName',
    'fromAddress',
    'publicBaseUrl',
    'codeTtlSeconds',
    'maxCodeAttempts',
    'pepperSecretArn',
    'pepperMaxAgeSeconds',
  ]);
  return {
    store: recoveryStoreFrom(config),
    audit: auditLogFrom(config),
    mailer: mailerFrom(config),
    texter: texterFrom(config),
    pepper: pepperFrom(config),
    clock: systemClock,
    codeTtlSeconds: config.codeTtlSeconds,
    maxAttempts: config.maxCodeAttempts,
    publicBaseUrl: config.publicBaseUrl,
  };
});

const input = stepInput.extend({ taskToken: z.string().min(1) });

/** Workflow step IssueCode (`lambda:invoke.waitForTaskToken`): returns at once; the API resumes the task. */
export const handler = workflowStep(input, async (parsed) => {
  await issueCode(parsed, deps());
  return { issued: true };
});
