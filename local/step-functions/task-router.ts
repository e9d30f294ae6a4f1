import { INPUT_FIELD, type TaskStateInfo, TIMEOUT_FIELD } from './definition';
import { TaskFailure } from './errors';
import type { TaskTokens } from './task-tokens';

/** Invokes a local Lambda function; rejects with an Error whose `name` is the Lambda error type. */
export type LocalLambdaInvoker = (functionName: string, payload: unknown) => Promise<unknown>;

/** Records task-level history events (the library emits only state-level ones). */
export type TaskEventRecorder = (stateName: string, type: string, details: Record<string, unknown>) => void;

interface SdkService {
  readonly module: string;
  readonly clientClass: string;
  /** How Step Functions prefixes this service's errors in `aws-sdk:` integrations. */
  readonly errorPrefix: string;
}

// Error prefixes follow the AWS SDK integration's naming: the service name in PascalCase.
const SDK_SERVICES: Record<string, SdkService> = {
  dynamodb: { module: '@aws-sdk/client-dynamodb', clientClass: 'DynamoDBClient', errorPrefix: 'DynamoDb' },
  cognitoidentityprovider: {
    module: '@aws-sdk/client-cognito-identity-provider',
    clientClass: 'CognitoIdentityProviderClient',
    errorPrefix: 'CognitoIdentityProvider',
  },
  sesv2: { module: '@aws-sdk/client-sesv2', clientClass: 'SESv2Client', errorPrefix: 'SesV2' },
  eventbridge: {
    module: '@aws-sdk/client-eventbridge',
    clientClass: 'EventBridgeClient',
    errorPrefix: 'EventBridge',
  },
};

const OPTIMIZED_DYNAMODB = new Set(['getItem', 'putItem', 'updateItem', 'deleteItem']);

export interface TaskRouterOptions {
  readonly region: string;
  readonly invokeLambda: LocalLambdaInvoker;
  readonly serviceEndpoints: Readonly<Record<string, string | undefined>>;
  readonly tokens: TaskTokens;
}

type SdkClient = { send(command: unknown): Promise<Record<string, unknown>> };

/** Routes each Task resource to a local implementation, the way Step Functions would call it. */
export function createTaskRouter(options: TaskRouterOptions) {
  const clients = new Map<string, Promise<{ client: SdkClient; module: Record<string, unknown> }>>();

  const sdk = (service: string) => {
    const spec = SDK_SERVICES[service];
    if (!spec)
      throw new TaskFailure(
        'States.Runtime',
        `aws-sdk service ${service} is not supported by the local host`,
      );
    let entry = clients.get(service);
    if (!entry) {
      entry = import(spec.module).then((module: Record<string, unknown>) => {
        const Client = module[spec.clientClass] as new (config: object) => SdkClient;
        return {
          module,
          client: new Client({
            region: options.region,
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
            ...(options.serviceEndpoints[service] ? { endpoint: options.serviceEndpoints[service] } : {}),
          }),
        };
      });
      clients.set(service, entry);
    }
    return { spec, entry };
  };

  async function callSdk(service: string, action: string, parameters: unknown, errorPrefix?: string) {
    const { spec, entry } = sdk(service);
    const { client, module } = await entry;
    const Command = module[`${action.charAt(0).toUpperCase()}${action.slice(1)}Command`] as
      | (new (
          input: unknown,
        ) => unknown)
      | undefined;
    if (!Command)
      throw new TaskFailure('States.Runtime', `aws-sdk action ${service}:${action} is not supported`);
    try {
      const { $metadata: _, ...result } = await client.send(new Command(parameters));
      return result;
    } catch (error) {
      const name = error instanceof Error ? error.name : 'UnknownError';
      const message = error instanceof Error ? error.message : String(error);
      throw new TaskFailure(`${errorPrefix ?? spec.errorPrefix}.${name}`, `${message} (Service: ${service})`);
    }
  }

  async function invokeLambda(functionName: unknown, payload: unknown) {
    if (typeof functionName !== 'string') throw new TaskFailure('States.Runtime', 'FunctionName is required');
    try {
      return await options.invokeLambda(functionName, payload ?? {});
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      if (name.startsWith('Lambda.') || name.startsWith('Sandbox.')) throw new TaskFailure(name, message);
      throw new TaskFailure(name, JSON.stringify({ errorType: name, errorMessage: message, trace: [] }));
    }
  }

  /** Calls the integration behind `resource` once (no callback wait). */
  async function call(resource: string, parameters: Record<string, unknown>): Promise<unknown> {
    if (/^arn:aws:lambda:[^:]+:[^:]+:function:/.test(resource)) return invokeLambda(resource, parameters);
    const match = /^arn:aws:states:::([^:.]+)(?::([^.:]+))?(?::([^.:]+))?(?:\.(\w+))?$/.exec(resource);
    const [, service, first, second] = match ?? [];
    if (service === 'lambda' && first === 'invoke') {
      const result = await invokeLambda(parameters.FunctionName, parameters.Payload);
      return {
        ExecutedVersion: '$LATEST',
        Payload: result,
        StatusCode: 200,
        SdkHttpMetadata: { HttpStatusCode: 200 },
        SdkResponseMetadata: { RequestId: crypto.randomUUID() },
      };
    }
    if (service === 'dynamodb' && first && OPTIMIZED_DYNAMODB.has(first)) {
      return callSdk('dynamodb', first, parameters, 'DynamoDB');
    }
    if (service === 'aws-sdk' && first && second) return callSdk(first, second, parameters);
    throw new TaskFailure('States.Runtime', `resource ${resource} is not supported by the local host`);
  }

  /** The override the library calls for one entry (or retry) of a Task state. */
  return function handlerFor(
    state: TaskStateInfo,
    executionArn: string,
    sentinel: string,
    record: TaskEventRecorder,
  ) {
    return async (input: unknown): Promise<unknown> => {
      const { parameters, timeoutSeconds } = unwrap(input, state);
      const waitsForCallback = state.resource.endsWith('.waitForTaskToken');
      const resource = waitsForCallback
        ? state.resource.slice(0, -'.waitForTaskToken'.length)
        : state.resource;
      const callback = waitsForCallback
        ? options.tokens.mint(executionArn, timeoutSeconds ?? 99_999_999, state.heartbeatSeconds)
        : undefined;
      const resolved = callback ? replaceSentinel(parameters, sentinel, callback.token) : parameters;
      const [resourceType, ...rest] = resource.replace(/^arn:aws:states:::/, '').split(':');
      record(state.name, 'TaskScheduled', {
        taskScheduledEventDetails: {
          resourceType,
          resource: [rest.join(':'), waitsForCallback ? 'waitForTaskToken' : ''].filter(Boolean).join('.'),
          region: options.region,
          parameters: JSON.stringify(resolved),
          ...(timeoutSeconds !== undefined ? { timeoutInSeconds: timeoutSeconds } : {}),
          ...(state.heartbeatSeconds !== undefined ? { heartbeatInSeconds: state.heartbeatSeconds } : {}),
        },
      });
      record(state.name, 'TaskStarted', {
        taskStartedEventDetails: { resourceType, resource: rest.join(':') },
      });
      let timer: NodeJS.Timeout | undefined;
      if (callback && timeoutSeconds !== undefined) {
        timer = setTimeout(() => {
          options.tokens.expire(callback.token);
          record(state.name, 'TaskTimedOut', {
            taskTimedOutEventDetails: { resourceType, resource: rest.join(':'), error: 'States.Timeout' },
          });
        }, timeoutSeconds * 1000);
      }
      try {
        const direct = await call(resource, resolved as Record<string, unknown>);
        if (!callback) {
          record(state.name, 'TaskSucceeded', {
            taskSucceededEventDetails: { resourceType, output: JSON.stringify(direct) },
          });
          return direct;
        }
        record(state.name, 'TaskSubmitted', {
          taskSubmittedEventDetails: { resourceType, output: JSON.stringify(direct) },
        });
        const output = await callback.result;
        record(state.name, 'TaskSucceeded', {
          taskSucceededEventDetails: { resourceType, output: JSON.stringify(output) },
        });
        return output;
      } catch (error) {
        if (callback) options.tokens.close(callback.token);
        const name = error instanceof Error ? error.name : 'States.TaskFailed';
        const cause =
          error instanceof TaskFailure ? error.causeText : error instanceof Error ? error.message : '';
        if (name !== 'States.Timeout') {
          record(state.name, 'TaskFailed', { taskFailedEventDetails: { resourceType, error: name, cause } });
        }
        throw new TaskFailure(name, cause);
      } finally {
        clearTimeout(timer);
      }
    };
  };
}

function unwrap(input: unknown, state: TaskStateInfo): { parameters: unknown; timeoutSeconds?: number } {
  if (!state.hasTimeoutPath || input === null || typeof input !== 'object') {
    return {
      parameters: input,
      ...(state.timeoutSeconds !== undefined ? { timeoutSeconds: state.timeoutSeconds } : {}),
    };
  }
  const { [TIMEOUT_FIELD]: timeout, [INPUT_FIELD]: whole, ...rest } = input as Record<string, unknown>;
  return { parameters: whole !== undefined ? whole : rest, timeoutSeconds: Number(timeout) };
}

function replaceSentinel(value: unknown, sentinel: string, token: string): unknown {
  if (value === sentinel) return token;
  if (Array.isArray(value)) return value.map((item) => replaceSentinel(item, sentinel, token));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, replaceSentinel(v, sentinel, token)]),
    );
  }
  return value;
}
