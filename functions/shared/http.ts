import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod';
import {
  InvalidRequestError,
  PayloadTooLargeError,
  RateLimitedError,
  RecoveryError,
  WrongCodeError,
} from './errors';

/** Request bodies above this are refused before parsing. */
export const MAX_BODY_BYTES = 4096;

const SECURITY_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** A JSON response with the headers every API answer carries. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { ...SECURITY_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** Parses and validates a JSON body strictly: size, syntax, types and unknown fields. */
export function parseJsonBody<T extends z.ZodType>(event: APIGatewayProxyEventV2, schema: T): z.infer<T> {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`the request body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidRequestError('the request body must be valid JSON');
  }
  return validate(schema, value);
}

/** Validates any value (path parameters, parsed body) against a schema, as an InvalidRequestError. */
export function validate<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => ({
      path: issue.path.join('.') || '(body)',
      message: issue.message,
    }));
    throw new InvalidRequestError('the request is not valid', fields);
  }
  return parsed.data;
}

/** Maps the product's errors to responses; anything else is a 500 that reveals nothing. */
export function errorResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  if (error instanceof WrongCodeError) {
    return jsonResponse(error.status, {
      error: error.code,
      message: error.message,
      attemptsLeft: error.attemptsLeft,
    });
  }
  if (error instanceof RateLimitedError) {
    return jsonResponse(
      error.status,
      { error: error.code, message: error.message },
      { 'retry-after': String(error.retryAfterSeconds) },
    );
  }
  if (error instanceof InvalidRequestError) {
    return jsonResponse(error.status, { error: error.code, message: error.message, fields: error.fields });
  }
  if (error instanceof RecoveryError && error.status < 500) {
    return jsonResponse(error.status, { error: error.code, message: error.message });
  }
  // The product's own messages never carry secrets; an SDK error is logged by name only.
  console.error(
    JSON.stringify({
      level: 'error',
      error: error instanceof Error ? error.name : 'unknown',
      ...(error instanceof RecoveryError ? { detail: error.message } : {}),
    }),
  );
  return jsonResponse(503, { error: 'TEMPORARILY_UNAVAILABLE', message: 'Please try again in a moment.' });
}
