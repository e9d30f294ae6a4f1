import * as z from 'zod';
import { isTransient } from '../adapters/aws-errors';
import { REQUEST_ID_PATTERN } from '../domain/secrets';
import { InvalidRequestError, RecoveryError, TransientDependencyError } from './errors';

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
 * A workflow step's handler: parses its payload, runs it, and renames a transient AWS failure
 * (throttling, 5xx, timeout) that the SDK's own retries did not absorb to TransientDependencyError,
 * the one name the state machine retries on; the product's own errors keep their names.
 */
export function workflowStep<T extends z.ZodType, R>(schema: T, run: (input: z.infer<T>) => Promise<R>) {
  return async (event: unknown): Promise<R> => {
    const input = parseStepInput(schema, event);
    try {
      return await run(input);
    } catch (error) {
      if (!(error instanceof RecoveryError) && isTransient(error)) {
        throw new TransientDependencyError(`${(error as Error).name} from an AWS call`, { cause: error });
      }
      throw error;
    }
  };
}
