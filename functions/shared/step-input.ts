import { z } from 'zod';
import { REQUEST_ID_PATTERN } from '../domain/secrets';
import { InvalidRequestError } from './errors';

/** Every workflow step gets at least the request id from the state machine. */
export const stepInput = z.object({ requestId: z.string().regex(REQUEST_ID_PATTERN) });

/** Parses a workflow step's payload; a bad payload is a bug in the definition, reported by name. */
export function parseStepInput<T extends z.ZodType>(schema: T, event: unknown): z.infer<T> {
  const parsed = schema.safeParse(event);
  if (!parsed.success)
    throw new InvalidRequestError(`invalid step input: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
