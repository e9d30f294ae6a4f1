import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { close, createServer, listen } from '../net';

/** The dependencies the product's functions call, each behind its own proxy. */
export type FaultService = 'dynamodb' | 'ses' | 'cognito' | 'stepfunctions' | 'eventbridge';

/**
 * How a call fails: `throttle` and `server-error` answer as the service does (its protocol's error
 * shape), `timeout` never answers, so the SDK's request timeout fires, and `client-error` answers a
 * non-retryable 400 (a ValidationException), as a bug in our own call would.
 */
export type FaultKind = 'throttle' | 'server-error' | 'timeout' | 'client-error';

export interface FaultRule {
  readonly service: FaultService;
  /** The API operation, as AWS names it (`PutItem`, `SendEmail`, `AdminDeleteSoftwareToken`, `SendTaskSuccess`). */
  readonly operation: string;
  readonly kind: FaultKind;
  /** Fail this many matching calls, then let them through. @default every call (a permanent fault) */
  readonly times?: number;
  /** Only calls whose body contains this text (targets one step, e.g. `"sk":{"S":"CHALLENGE"}`). */
  readonly bodyIncludes?: string;
}

/**
 * The faults in force; tests add rules and read how many calls each one failed. It also counts every
 * call by `service.operation`, which the benchmark turns into the AWS cost of a recovery.
 */
export class FaultPlan {
  private rules: { rule: FaultRule; left: number; failed: number }[] = [];
  readonly calls = new Map<string, number>();

  /** Adds a rule; returns a reader of how many calls it failed so far. */
  add(rule: FaultRule): () => number {
    const entry = { rule, left: rule.times ?? Number.POSITIVE_INFINITY, failed: 0 };
    this.rules.push(entry);
    return () => entry.failed;
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this call, if any; counts it against the rule. */
  take(service: FaultService, operation: string, body: string): FaultKind | undefined {
    const key = `${service}.${operation}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    const entry = this.rules.find(
      ({ rule, left }) =>
        left > 0 &&
        rule.service === service &&
        rule.operation === operation &&
        (rule.bodyIncludes === undefined || body.includes(rule.bodyIncludes)),
    );
    if (!entry) return undefined;
    entry.left -= 1;
    entry.failed += 1;
    return entry.rule.kind;
  }
}

const JSON_TARGET_ERRORS: Record<
  Exclude<FaultService, 'ses'>,
  Record<Exclude<FaultKind, 'timeout'>, string>
> = {
  dynamodb: {
    throttle: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
    'server-error': 'com.amazonaws.dynamodb.v20120810#InternalServerError',
    'client-error': 'com.amazonaws.dynamodb.v20120810#ValidationException',
  },
  cognito: {
    throttle: 'TooManyRequestsException',
    'server-error': 'InternalErrorException',
    'client-error': 'InvalidParameterException',
  },
  stepfunctions: {
    throttle: 'ThrottlingException',
    'server-error': 'InternalFailure',
    'client-error': 'ValidationException',
  },
  eventbridge: {
    throttle: 'ThrottlingException',
    'server-error': 'InternalException',
    'client-error': 'ValidationException',
  },
};

/** The operation of a call: the X-Amz-Target of JSON protocols, the route of SES v2's REST API. */
function operationOf(service: FaultService, request: IncomingMessage): string {
  if (service !== 'ses')
    return (
      String(request.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? ''
    );
  const path = (request.url ?? '').split('?')[0] ?? '';
  if (request.method === 'POST' && path === '/v2/email/outbound-emails') return 'SendEmail';
  return `${request.method} ${path}`;
}

const SES_ERRORS: Record<Exclude<FaultKind, 'timeout'>, [number, string]> = {
  throttle: [429, 'TooManyRequestsException'],
  'server-error': [500, 'InternalFailure'],
  'client-error': [400, 'BadRequestException'],
};

function fail(service: FaultService, kind: Exclude<FaultKind, 'timeout'>, response: ServerResponse) {
  if (service === 'ses') {
    const [status, type] = SES_ERRORS[kind];
    response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
    response.end(JSON.stringify({ message: `injected ${kind}` }));
    return;
  }
  const type = JSON_TARGET_ERRORS[service][kind];
  response.writeHead(kind === 'server-error' ? 500 : 400, {
    'content-type':
      service === 'cognito' || service === 'eventbridge'
        ? 'application/x-amz-json-1.1'
        : 'application/x-amz-json-1.0',
    'x-amzn-errortype': type.split('#').pop() ?? type,
  });
  response.end(JSON.stringify({ __type: type, message: `injected ${kind}` }));
}

/**
 * A transparent HTTP proxy in front of one emulator. The functions' SDK clients are pointed at it,
 * so faults reach the product exactly as AWS errors would, with no change to product code paths.
 */
export async function startFaultProxy(service: FaultService, targetUrl: string, plan: FaultPlan) {
  const target = new URL(targetUrl);
  const hung = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const fault = plan.take(service, operationOf(service, request), body.toString('utf8'));
      if (fault === 'timeout') {
        hung.add(response);
        response.on('close', () => hung.delete(response));
        return;
      }
      if (fault) return fail(service, fault, response);
      const upstream = httpRequest(
        {
          hostname: target.hostname,
          port: target.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: target.host },
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', () => {
        if (!response.headersSent) response.writeHead(502);
        response.end();
      });
      upstream.end(body);
    });
  });
  const url = await listen(server);
  return {
    url,
    close: async () => {
      for (const response of hung) response.destroy();
      await close(server);
    },
  };
}
