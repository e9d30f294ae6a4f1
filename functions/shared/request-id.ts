import * as z from 'zod';
import { REQUEST_ID_PATTERN } from '../domain/secrets';

/** The `{requestId}` path parameter: exactly the shape the product issues. */
export const requestIdParameter = z.strictObject({
  requestId: z.string().regex(REQUEST_ID_PATTERN, 'must be a request id as issued by POST /recoveries'),
});
