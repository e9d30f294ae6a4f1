/**
 * Structured log lines (one JSON object a line, as CloudWatch Logs reads them). Only what is passed
 * here is logged: never a request body, a code, a token, a password or the pepper.
 */
export interface LogFields {
  /** Ties the line to one request: the recovery's request id or the HTTP API's request id. */
  readonly correlationId?: string;
  readonly [field: string]: string | number | boolean | undefined;
}

/** The parts of an error worth logging; messages of the product's and the SDK's errors carry no secret. */
export function describeError(error: unknown): Record<string, string> {
  if (!(error instanceof Error)) return { errorName: 'NonError', errorMessage: String(error).slice(0, 500) };
  return {
    errorName: error.name,
    errorMessage: error.message.slice(0, 1000),
    ...(error.stack ? { stack: error.stack.slice(0, 4000) } : {}),
  };
}

function write(level: 'info' | 'warn' | 'error', message: string, fields: LogFields, error?: unknown) {
  const line = JSON.stringify({
    timestamp: new Date().toISOString(),
    level,
    message,
    ...fields,
    ...(error === undefined ? {} : describeError(error)),
  });
  if (level === 'error') console.error(line);
  else console.log(line);
}

export const log = {
  info: (message: string, fields: LogFields = {}) => write('info', message, fields),
  warn: (message: string, fields: LogFields = {}, error?: unknown) => write('warn', message, fields, error),
  error: (message: string, fields: LogFields = {}, error?: unknown) => write('error', message, fields, error),
};
