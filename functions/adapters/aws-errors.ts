import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { TransientDependencyError } from '../shared/errors';

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalErrorException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'ECONNRESET',
  'ECONNREFUSED',
]);

/** The AWS error name, or undefined for non-errors. */
export function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** True when an SDK error is worth retrying: throttling, a 5xx, a network failure. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { $metadata, code } = error as { $metadata?: { httpStatusCode?: number }; code?: unknown };
  const status = $metadata?.httpStatusCode;
  // Network failures arrive as plain Errors whose `code` names them (ECONNREFUSED, ECONNRESET).
  return (
    TRANSIENT_NAMES.has(error.name) ||
    (typeof code === 'string' && TRANSIENT_NAMES.has(code)) ||
    (status !== undefined && status >= 500)
  );
}

/** Rethrows transient SDK errors as TransientDependencyError, the name the workflow retries on. */
export function rethrowTransient(error: unknown, what: string): never {
  if (isTransient(error)) {
    throw new TransientDependencyError(`${what} failed transiently (${awsErrorName(error)})`, {
      cause: error,
    });
  }
  throw error;
}

/** Runs a conditional DynamoDB write: true when it was written, false when its condition did not hold. */
export async function conditionHeld(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
