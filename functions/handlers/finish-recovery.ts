import * as z from 'zod';
import { loadConfig } from '../shared/config';
import { finishConfigNeeds, finishDepsFrom } from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { stepInput, workflowStep } from '../shared/step-input';
import { finishRecovery } from '../use-cases/workflow-steps';

const deps = perEnvironment(() => {
  return finishDepsFrom(loadConfig(finishConfigNeeds));
});

const input = stepInput.extend({
  outcome: z.enum(['IGNORED', 'FAILED', 'SIGN_OUT_INCOMPLETE']).optional(),
  reason: z.string().max(100).optional(),
  error: z.string().max(500).optional(),
  cause: z.string().max(32_768).optional(),
});

/**
 * Workflow steps that end a request (Finish, Ignored, Failed, SignOutIncomplete): the outcome follows
 * from the stored state, or from what the failing step reports.
 */
export const handler = workflowStep(input, (parsed) => finishRecovery(parsed, deps()));
