import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { REQUEST_ID_PATTERN } from '../domain/secrets';
import { loadConfig } from '../shared/config';
import { finishConfigNeeds, finishDepsFrom } from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { log } from '../shared/log';
import { withInvocation } from '../shared/observability';
import { finishRecovery } from '../use-cases/workflow-steps';

const deps = perEnvironment(() => {
  return finishDepsFrom(loadConfig(finishConfigNeeds));
});

/** The EventBridge event Step Functions sends when an execution ends (only the fields we read). */
const statusChange = z.object({
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    name: z.string(),
    status: z.enum(['FAILED', 'TIMED_OUT', 'ABORTED', 'SUCCEEDED', 'RUNNING', 'PENDING_REDRIVE']),
    error: z.string().nullish(),
  }),
});

/**
 * The reconciler: an execution that failed, timed out or was stopped outside the workflow's own
 * catches (an operator's StopExecution, a bug) still ends its request with exactly one truthful
 * terminal record and a released slot. Requests already ended are left as they are (idempotent, so
 * EventBridge's at-least-once delivery is safe).
 */
export async function handler(event: unknown, context?: Context) {
  const parsed = statusChange.safeParse(event);
  const name = parsed.success ? parsed.data.detail.name : undefined;
  const correlationId = name && REQUEST_ID_PATTERN.test(name) ? name : undefined;
  return withInvocation({ correlationId }, context, async () => {
    if (!parsed.success || !correlationId) {
      log.warn('not a recovery execution status change: ignored');
      return { reconciled: false };
    }
    const { status, error } = parsed.data.detail;
    if (status !== 'FAILED' && status !== 'TIMED_OUT' && status !== 'ABORTED') return { reconciled: false };
    const result = await finishRecovery(
      {
        requestId: correlationId,
        outcome: status === 'FAILED' ? 'FAILED' : 'ABORTED',
        reason: `EXECUTION_${status}`,
        ...(error ? { error } : {}),
      },
      deps(),
    );
    return { reconciled: true, outcome: result.outcome };
  });
}
