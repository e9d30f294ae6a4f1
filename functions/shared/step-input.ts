import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { isTransient } from '../adapters/aws-errors';
import { REQUEST_ID_PATTERN } from '../domain/secrets';
import { InvalidRequestError, RecoveryError, TransientDependencyError } from './errors';
import { log } from './log';
import { publishMetric, withInvocation } from './observability';

/** Every workflow step gets at least the request id from the state machine. */
export const stepInput = z.object({ requestId: z.string().regex(REQUEST_ID_PATTERN) });

/** Parses a workflow step's payload; a bad payload is a bug in the definition, reported by name. */
export function parseStepInput<T extends z.ZodType>(schema: T, event: unknown): z.infer<T> {
  const parsed = schema.safeParse(event);
  if (!parsed.success)
    throw new InvalidRequestError(`invalid step input: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/**
 * A workflow step's handler: parses its payload, runs it with the request id as the correlation id of
 * every log line, and renames a transient AWS failure (throttling, 5xx, timeout) that the SDK's own
 * retries did not absorb to TransientDependencyError, the one name the state machine retries on; the
 * product's own errors keep their names. Anything else is a bug: logged with its stack and counted.
 */
export function workflowStep<T extends z.ZodType, R>(schema: T, run: (input: z.infer<T>) => Promise<R>) {
  return async (event: unknown, context?: Context): Promise<R> => {
    const requestId = (event as { requestId?: unknown } | null)?.requestId;
    const correlationId =
      typeof requestId === 'string' && REQUEST_ID_PATTERN.test(requestId) ? requestId : undefined;
    return withInvocation({ correlationId }, context, async () => {
      const input = parseStepInput(schema, event);
      try {
        return await run(input);
      } catch (error) {
        if (!(error instanceof RecoveryError) && isTransient(error)) {
          log.warn('a dependency failed transiently; the workflow retries the step', {}, error);
          throw new TransientDependencyError(`${(error as Error).name} from an AWS call`, { cause: error });
        }
        if (!(error instanceof RecoveryError)) {
          log.error('unexpected error in a workflow step', {}, error);
          publishMetric('UnexpectedErrors', 1, 'Count');
        }
        throw error;
      }
    });
  };
}
