import { currentLogger } from './observability';

/**
 * The product's log calls, through the Powertools Logger of the running invocation: JSON lines with
 * the service, cold start, function, level (POWERTOOLS_LOG_LEVEL or Lambda's log level) and the
 * invocation's correlation id. Only what is passed here is logged: never a request body, a code, a
 * token, a password or the pepper.
 */
export interface LogFields {
  readonly [field: string]: string | number | boolean | undefined;
}

const withError = (fields: LogFields, error: unknown) =>
  error === undefined ? fields : { ...fields, error: error instanceof Error ? error : String(error) };

export const log = {
  info: (message: string, fields: LogFields = {}) => currentLogger().info(message, { ...fields }),
  warn: (message: string, fields: LogFields = {}, error?: unknown) =>
    currentLogger().warn(message, withError(fields, error)),
  error: (message: string, fields: LogFields = {}, error?: unknown) =>
    currentLogger().error(message, withError(fields, error)),
};
