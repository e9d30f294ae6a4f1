import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import { isTransient } from '../adapters/aws-errors';
import { REQUEST_ID_PATTERN } from '../domain/secrets';
import { loadConfig } from './config';
import { perEnvironment } from './environment';
import {
  CognitoBudgetSpentError,
  ForbiddenError,
  InvalidRequestError,
  PayloadTooLargeError,
  RateLimitedError,
  RecoveryError,
  TransientDependencyError,
  WrongCodeError,
} from './errors';
import { log } from './log';
import { currentLogger, publishMetric, withInvocation } from './observability';

const edge = perEnvironment(() => loadConfig(['originVerify']));

/** Whether a request came through the product's CloudFront (always true when there is none). */
export function cameThroughEdge(event: APIGatewayProxyEventV2): boolean {
  const { originVerify } = edge();
  if (!originVerify) return true;
  const given = Buffer.from(event.headers?.['x-origin-verify'] ?? '');
  const expected = Buffer.from(originVerify);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Who sent a request: behind the product's CloudFront, the viewer's address CloudFront saw
 * (`CloudFront-Viewer-Address`, trusted only with the origin secret); else API Gateway's source IP.
 * Both "as sent by the client" as far as the user agent goes.
 */
export function clientOf(event: APIGatewayProxyEventV2): { sourceIp: string; userAgent: string } {
  const { sourceIp, userAgent } = event.requestContext.http;
  const viewer = edge().originVerify ? event.headers?.['cloudfront-viewer-address'] : undefined;
  // "203.0.113.7:46532" or "[2001:db8::1]:46532" / "2001:db8::1:46532": the port is the last part.
  const viewerIp = viewer?.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return { sourceIp: viewerIp || sourceIp, userAgent: (userAgent ?? '').slice(0, 256) };
}

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

/**
 * Maps the product's errors to responses. A known transient dependency failure (throttling, a 5xx, a
 * time-out, after the SDK's own retries) is a 503 "try again"; anything else unexpected is a bug: a
 * 500 INTERNAL that reveals nothing, logged with its stack under the request's correlation id.
 */
export function errorResponse(error: unknown, correlationId?: string): APIGatewayProxyStructuredResultV2 {
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
  // The product's share of a Cognito quota is spent this second: the same 429 as any limit.
  if (error instanceof CognitoBudgetSpentError) {
    return errorResponse(new RateLimitedError(error.retryAfterSeconds), correlationId);
  }
  if (error instanceof InvalidRequestError) {
    return jsonResponse(error.status, { error: error.code, message: error.message, fields: error.fields });
  }
  if (error instanceof RecoveryError && error.status < 500) {
    return jsonResponse(error.status, { error: error.code, message: error.message });
  }
  if (error instanceof TransientDependencyError || isTransient(error)) {
    log.warn(
      'a dependency failed transiently; the caller was asked to try again',
      { apiRequestId: correlationId },
      error,
    );
    return jsonResponse(503, { error: 'TEMPORARILY_UNAVAILABLE', message: 'Please try again in a moment.' });
  }
  log.error('unexpected error', { apiRequestId: correlationId }, error);
  publishMetric('UnexpectedErrors', 1, 'Count');
  return jsonResponse(500, {
    error: 'INTERNAL',
    message: 'Something went wrong on our side.',
    ...(correlationId ? { correlationId } : {}),
  });
}

/**
 * An HTTP API handler: one invocation with the API request id, and the recovery's id where the path
 * names one, on every log line; errors mapped by errorResponse.
 */
export function httpHandler<E extends APIGatewayProxyEventV2>(
  run: (event: E) => Promise<APIGatewayProxyStructuredResultV2>,
) {
  return (event: E, context?: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const apiRequestId = event.requestContext?.requestId;
    const pathId = event.pathParameters?.requestId;
    const correlationId = pathId && REQUEST_ID_PATTERN.test(pathId) ? pathId : apiRequestId;
    return withInvocation({ correlationId, apiRequestId }, context, async () => {
      let response: APIGatewayProxyStructuredResultV2;
      try {
        if (!cameThroughEdge(event)) throw new ForbiddenError('use the public address of this service');
        response = await run(event);
      } catch (error) {
        response = errorResponse(error, apiRequestId);
      }
      currentLogger().appendKeys({ statusCode: response.statusCode ?? 200 });
      return response;
    });
  };
}
