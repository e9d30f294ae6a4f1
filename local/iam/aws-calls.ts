import { AsyncLocalStorage } from 'node:async_hooks';
import diagnosticsChannel from 'node:diagnostics_channel';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { dirname } from 'node:path';

/**
 * What IAM would be asked for one AWS call: the action and the resource ARN, as AWS computes them
 * from the request. A call IAM does not authorise (Cognito operations authorised by the user's own
 * access token, such as GetUser) has no checks.
 */
export interface Authorization {
  readonly action: string;
  readonly resource: string;
}

/** The placeholders a recorded resource may hold for its stack's own resources. */
export const RECORDED_PLACEHOLDERS = {
  userPoolId: '<userPoolId>',
  staffUserPoolId: '<staffUserPoolId>',
  pepperSecretArn: '<pepperSecretArn>',
} as const;

/** One distinct (principal, action, resource) the local stack saw; never a request body. */
export interface RecordedCall extends Authorization {
  /** The function (catalog name) or `state-machine`. */
  readonly principal: string;
  /** The API operation that asked for it (TransactWriteItems asks for one check per item). */
  readonly operation: string;
}

/** The account and region the local ARNs are built in, and the one state machine task tokens belong to. */
export interface ArnContext {
  readonly region: string;
  readonly accountId: string;
  readonly stateMachineArn: string;
}

interface Invocation {
  readonly functionName: string;
  readonly record: (principal: string, request: RawRequest) => void;
}

/** A request as the SDK put it on the wire. */
export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly target: string | undefined;
  readonly body: string;
}

/** The function whose code is running; the local invoker enters it for every invocation. */
const invocationScope = new AsyncLocalStorage<Invocation>();

/**
 * Runs one invocation of `functionName`; when `recorder` is given, every AWS call its code makes is
 * recorded against it.
 */
export function runAsFunction<T>(
  functionName: string,
  recorder: AwsCallRecorder | undefined,
  run: () => T,
): T {
  if (!recorder) return run();
  return invocationScope.run({ functionName, record: recorder.recordRequest }, run);
}

let subscribed = false;

/**
 * Watches every HTTP request this process creates (node:diagnostics_channel). A request created
 * while a function's invocation is running is that function's AWS call: the SDK builds it inside the
 * handler's async context. Requests the emulators and proxies make are outside any invocation.
 */
function watchHttpRequests(): void {
  if (subscribed) return;
  subscribed = true;
  diagnosticsChannel.subscribe('http.client.request.created', (message) => {
    const invocation = invocationScope.getStore();
    if (!invocation) return;
    const request = (message as { request: ClientRequest }).request;
    const chunks: Buffer[] = [];
    const keep = (chunk: unknown) => {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    };
    const write = request.write.bind(request);
    const end = request.end.bind(request);
    request.write = ((chunk: unknown, ...rest: never[]) => {
      keep(chunk);
      return write(chunk as string, ...rest);
    }) as typeof request.write;
    request.end = ((chunk?: unknown, ...rest: never[]) => {
      if (typeof chunk !== 'function') keep(chunk);
      const target = request.getHeader('x-amz-target');
      invocation.record(invocation.functionName, {
        method: request.method,
        path: request.path,
        target: typeof target === 'string' ? target : undefined,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      return end(chunk as string, ...rest);
    }) as typeof request.end;
  });
}

/**
 * Records, for the IAM check (test/support/iam-policy.ts), what each function asked AWS for. Only
 * the action and resource are kept, each distinct triple once, in a JSON-lines file: never a body,
 * a password or a token.
 */
export function createAwsCallRecorder(file: string, context: ArnContext) {
  watchHttpRequests();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '');
  const seen = new Set<string>();
  // Names of this stack's own resources (its pool id, its pepper's ARN) become placeholders, so the
  // calls of every stack of a test run are checked against one template.
  const placeholders = new Map<string, string>();
  const keep = (recorded: RecordedCall) => {
    let resource = recorded.resource;
    for (const [value, placeholder] of placeholders) resource = resource.split(value).join(placeholder);
    const call = { ...recorded, resource };
    const key = `${call.principal} ${call.action} ${call.resource}`;
    if (seen.has(key)) return;
    seen.add(key);
    appendFileSync(file, `${JSON.stringify(call)}\n`);
  };
  return {
    file,
    /** Records `value` (a pool id, an ARN) as `placeholder` from now on. */
    name: (value: string, placeholder: string) => placeholders.set(value, placeholder),
    recordRequest: (principal: string, request: RawRequest) => {
      const asked = authorizationsOf(request, context);
      for (const check of asked.checks) keep({ principal, operation: asked.operation, ...check });
    },
    /** A call made by something other than a function's code (the state machine invoking a function). */
    record: keep,
  };
}

export type AwsCallRecorder = ReturnType<typeof createAwsCallRecorder>;

/**
 * Cognito operations authorised by the user's access token or session, not by IAM: AWS evaluates
 * no policy for them.
 */
const COGNITO_TOKEN_OPERATIONS = new Set([
  'AssociateSoftwareToken',
  'ChangePassword',
  'ConfirmDevice',
  'ConfirmForgotPassword',
  'ConfirmSignUp',
  'DeleteUser',
  'ForgetDevice',
  'ForgotPassword',
  'GetDevice',
  'GetTokensFromRefreshToken',
  'GetUser',
  'GetUserAttributeVerificationCode',
  'GlobalSignOut',
  'InitiateAuth',
  'ListDevices',
  'ResendConfirmationCode',
  'RespondToAuthChallenge',
  'RevokeToken',
  'SetUserMFAPreference',
  'SignUp',
  'UpdateDeviceStatus',
  'UpdateUserAttributes',
  'VerifySoftwareToken',
  'VerifyUserAttribute',
]);

/** DynamoDB's transaction items: each is authorised as the single-item action it performs. */
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

/** What IAM is asked for one request, as the service computes it (the Service Authorization Reference). */
export function authorizationsOf(
  request: RawRequest,
  context: ArnContext,
): { operation: string; checks: Authorization[] } {
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${context.region}:${context.accountId}:${resource}`;
  const body = parseBody(request.body);
  if (request.target) {
    const [prefix = '', operation = ''] = request.target.split('.');
    switch (prefix) {
      case 'DynamoDB_20120810': {
        const table = (name: unknown) =>
          String(name).startsWith('arn:') ? String(name) : arn('dynamodb', `table/${String(name)}`);
        if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
          const items = (body.TransactItems as Record<string, Record<string, unknown>>[] | undefined) ?? [];
          return {
            operation,
            checks: items.flatMap((item) =>
              Object.entries(item).map(([kind, detail]) => ({
                action: `dynamodb:${TRANSACT_ACTIONS[kind] ?? kind}`,
                resource: table(detail.TableName),
              })),
            ),
          };
        }
        if (operation === 'BatchWriteItem' || operation === 'BatchGetItem') {
          return {
            operation,
            checks: Object.keys((body.RequestItems as Record<string, unknown>) ?? {}).map((name) => ({
              action: `dynamodb:${operation}`,
              resource: table(name),
            })),
          };
        }
        const resource = body.IndexName
          ? `${table(body.TableName)}/index/${String(body.IndexName)}`
          : table(body.TableName);
        return { operation, checks: [{ action: `dynamodb:${operation}`, resource }] };
      }
      case 'AWSCognitoIdentityProviderService': {
        if (COGNITO_TOKEN_OPERATIONS.has(operation)) return { operation, checks: [] };
        return {
          operation,
          checks: [
            {
              action: `cognito-idp:${operation}`,
              resource: arn('cognito-idp', `userpool/${String(body.UserPoolId)}`),
            },
          ],
        };
      }
      case 'AWSStepFunctions': {
        // A task token names no resource in the request: it belongs to an execution of the one
        // state machine, whose ARN IAM evaluates (as CDK's grantTaskResponse grants).
        const resource =
          typeof body.stateMachineArn === 'string'
            ? body.stateMachineArn
            : typeof body.executionArn === 'string'
              ? body.executionArn
              : context.stateMachineArn;
        return { operation, checks: [{ action: `states:${operation}`, resource }] };
      }
      case 'AWSEvents': {
        const entries = (body.Entries as { EventBusName?: string }[] | undefined) ?? [];
        const buses = new Set(entries.map((entry) => entry.EventBusName ?? 'default'));
        return {
          operation,
          checks: [...buses].map((bus) => ({
            action: `events:${operation}`,
            resource: bus.startsWith('arn:') ? bus : arn('events', `event-bus/${bus}`),
          })),
        };
      }
      case 'secretsmanager': {
        const id = String(body.SecretId);
        return {
          operation,
          checks: [
            {
              action: `secretsmanager:${operation}`,
              resource: id.startsWith('arn:') ? id : arn('secretsmanager', `secret:${id}`),
            },
          ],
        };
      }
      default:
        return {
          operation: request.target,
          checks: [{ action: `unknown:${request.target}`, resource: '*' }],
        };
    }
  }
  // SNS speaks the AWS Query protocol: a form with Action=...; a text to a phone number names no resource.
  if (request.method === 'POST' && request.body.startsWith('Action=')) {
    const form = new URLSearchParams(request.body);
    const operation = form.get('Action') ?? 'Unknown';
    const target = form.get('TopicArn') ?? form.get('TargetArn');
    return { operation, checks: [{ action: `sns:${operation}`, resource: target ?? '*' }] };
  }
  // SES v2 is a REST API: SendEmail is POST /v2/email/outbound-emails.
  if (request.method === 'POST' && request.path.startsWith('/v2/email/outbound-emails')) {
    const from = String(body.FromEmailAddress ?? '');
    const address = from.match(/<([^>]+)>/)?.[1] ?? from;
    const domain = address.split('@')[1] ?? '';
    // SES authorises the send against the identity it uses: the address when it is verified on its
    // own, its domain otherwise. Which one depends on the operator's account, so both must be allowed.
    const checks = [
      { action: 'ses:SendEmail', resource: arn('ses', `identity/${address}`) },
      { action: 'ses:SendEmail', resource: arn('ses', `identity/${domain}`) },
    ];
    if (typeof body.ConfigurationSetName === 'string') {
      checks.push({
        action: 'ses:SendEmail',
        resource: arn('ses', `configuration-set/${body.ConfigurationSetName}`),
      });
    }
    return { operation: 'SendEmail', checks };
  }
  const operation = `${request.method} ${request.path.split('?')[0]}`;
  return { operation, checks: [{ action: `unknown:${operation}`, resource: '*' }] };
}

function parseBody(text: string): Record<string, unknown> {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
