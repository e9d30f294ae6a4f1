import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ExecutionAbortedError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import { close, createServer, listen } from '../net';
import { checkDefinition, forLibrary, taskStates, timeOverrides } from './definition';
import { SfnError } from './errors';
import { type Execution, orderedHistory, type RawEvent, type StateMachineRecord } from './executions';
import { createTaskRouter, type LocalLambdaInvoker } from './task-router';
import { TaskTokens } from './task-tokens';

export type { LocalLambdaInvoker } from './task-router';

export interface StepFunctionsHostOptions {
  /** TCP port; a free one when absent or 0. */
  readonly port?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  readonly invokeLambda: LocalLambdaInvoker;
  /** Local endpoints for `dynamodb:*` and `aws-sdk:*` integrations. */
  readonly serviceEndpoints?: Readonly<
    Partial<Record<'dynamodb' | 'cognitoidentityprovider' | 'sesv2' | 'eventbridge', string>>
  >;
  /** Scale factor for Wait states and retry intervals (tests run them faster). @default 1 */
  readonly timeScale?: number;
  /**
   * Receives the "Step Functions Execution Status Change" event AWS sends to EventBridge when an
   * execution ends (SUCCEEDED, FAILED, TIMED_OUT, ABORTED), in AWS's shape.
   */
  readonly onStatusChange?: (event: ExecutionStatusChangeEvent) => void;
}

/** The EventBridge event of an execution's status change, as Step Functions emits it. */
export interface ExecutionStatusChangeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'Step Functions Execution Status Change';
  readonly source: 'aws.states';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: {
    readonly executionArn: string;
    readonly stateMachineArn: string;
    readonly name: string;
    readonly status: string;
    readonly startDate: number;
    readonly stopDate: number | null;
    readonly input: string;
    readonly output: string | null;
    readonly error: string | null;
    readonly cause: string | null;
  };
}

export interface RunningStepFunctionsHost {
  readonly url: string;
  close(): Promise<void>;
}

type Body = Record<string, unknown>;
type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
const TARGET_PREFIX = 'AWSStepFunctions.';
const NAME_PATTERN = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/;
const MAX_INPUT_BYTES = 256 * 1024;
const now = () => Date.now();

/** Starts the Step Functions host: the real SFN JSON protocol over `aws-local-stepfunctions`. */
export async function startStepFunctionsHost(
  options: StepFunctionsHostOptions,
): Promise<RunningStepFunctionsHost> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const tokens = new TaskTokens();
  const router = createTaskRouter({
    region,
    invokeLambda: options.invokeLambda,
    serviceEndpoints: options.serviceEndpoints ?? {},
    tokens,
  });
  const machines = new Map<string, StateMachineRecord>();
  let closing = false;
  const executions = new Map<string, Execution>();

  const machineOf = (arn: unknown) => {
    const machine = typeof arn === 'string' ? machines.get(arn) : undefined;
    if (!machine)
      throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    return machine;
  };
  const executionOf = (arn: unknown) => {
    const execution = typeof arn === 'string' ? executions.get(arn) : undefined;
    if (!execution) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return execution;
  };

  function parseDefinition(text: unknown): Record<string, unknown> {
    if (typeof text !== 'string') throw new SfnError('InvalidDefinition', 'definition is required');
    let definition: Record<string, unknown>;
    try {
      definition = JSON.parse(text);
    } catch {
      throw new SfnError(
        'InvalidDefinition',
        'Invalid State Machine Definition: the definition is not valid JSON',
      );
    }
    checkDefinition(definition);
    try {
      new StateMachine(forLibrary(definition) as never, {
        validationOptions: { checkArn: false, checkPaths: true },
      });
    } catch (error) {
      throw new SfnError('InvalidDefinition', (error as Error).message);
    }
    return definition;
  }

  function run(machine: StateMachineRecord, execution: Execution): void {
    const definition = JSON.parse(machine.definition) as Record<string, unknown>;
    const library = new StateMachine(forLibrary(definition) as never, {
      validationOptions: { noValidate: true },
    });
    let order = 0;
    const push = (event: Omit<RawEvent, 'order'>) => execution.events.push({ ...event, order: order++ });
    const sentinel = `local-task-token-${randomUUID()}`;
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const state of taskStates(definition).values()) {
      handlers[state.name] = router(state, execution.executionArn, sentinel, (stateName, type, details) =>
        push({ timestamp: now(), type, details, taskOf: stateName }),
      );
    }
    const scale = timeOverrides(definition, options.timeScale ?? 1);
    const started = library.run(JSON.parse(execution.input), {
      overrides: { taskResourceLocalHandlers: handlers as never, ...scale },
      context: {
        Execution: {
          Id: execution.executionArn,
          Name: execution.name,
          RoleArn: machine.roleArn,
          StartTime: new Date(execution.startDate).toISOString(),
        },
        StateMachine: { Id: machine.stateMachineArn, Name: machine.name },
        Task: { Token: sentinel },
      },
    });
    execution.abort = started.abort;
    void (async () => {
      for await (const event of started.eventLogs) {
        const mapped = mapLibraryEvent(event, machine.roleArn);
        if (mapped) push(mapped);
      }
    })();
    started.result.then(
      (output) => finish(execution, 'SUCCEEDED', { output: JSON.stringify(output) }),
      (error: unknown) => {
        if (error instanceof ExecutionAbortedError) return finish(execution, 'ABORTED', {});
        if (error instanceof ExecutionTimeoutError) return finish(execution, 'TIMED_OUT', {});
        const cause = (error as { cause?: Error }).cause ?? (error as Error);
        const causeText = (cause as { causeText?: string }).causeText ?? cause.message;
        finish(execution, 'FAILED', { error: cause.name, cause: causeText });
      },
    );
  }

  function finish(execution: Execution, status: Execution['status'], fields: Partial<Execution>): void {
    if (execution.status !== 'RUNNING') return;
    Object.assign(execution, fields, { status, stopDate: now() });
    tokens.closeExecution(execution.executionArn);
    // The host shutting down is not AWS stopping executions: nothing is told.
    if (!closing)
      options.onStatusChange?.({
        version: '0',
        id: randomUUID(),
        'detail-type': 'Step Functions Execution Status Change',
        source: 'aws.states',
        account: accountId,
        time: new Date().toISOString(),
        region,
        resources: [execution.executionArn],
        detail: {
          executionArn: execution.executionArn,
          stateMachineArn: execution.stateMachineArn,
          name: execution.name,
          status,
          startDate: execution.startDate,
          stopDate: execution.stopDate ?? null,
          input: execution.input,
          output: execution.output ?? null,
          error: execution.error ?? null,
          cause: execution.cause ?? null,
        },
      });
    if (status === 'TIMED_OUT')
      execution.events.push({
        timestamp: now(),
        type: 'ExecutionTimedOut',
        details: { executionTimedOutEventDetails: {} },
        order: 1e9,
      });
  }

  const describeExecution = (e: Execution) => ({
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: e.startDate / 1000,
    ...(e.stopDate ? { stopDate: e.stopDate / 1000 } : {}),
    input: e.input,
    inputDetails: { included: true },
    ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
    ...(e.cause !== undefined ? { cause: e.cause } : {}),
  });

  const operations: Record<string, (body: Body) => unknown> = {
    CreateStateMachine(body) {
      const name = body.name;
      if (typeof name !== 'string' || !NAME_PATTERN.test(name))
        throw new SfnError('InvalidName', `Invalid Name: '${String(name)}'`);
      if (body.type === 'EXPRESS')
        throw new SfnError('ValidationException', 'the local host runs STANDARD workflows only');
      parseDefinition(body.definition);
      const stateMachineArn = `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
      const existing = machines.get(stateMachineArn);
      if (existing) {
        if (existing.definition !== body.definition) {
          throw new SfnError(
            'StateMachineAlreadyExists',
            `State Machine Already Exists: '${stateMachineArn}'`,
          );
        }
        return { stateMachineArn, creationDate: existing.creationDate / 1000 };
      }
      const record = {
        stateMachineArn,
        name,
        definition: body.definition as string,
        roleArn: String(body.roleArn ?? ''),
        creationDate: now(),
      };
      machines.set(stateMachineArn, record);
      return { stateMachineArn, creationDate: record.creationDate / 1000 };
    },
    DescribeStateMachine(body) {
      const m = machineOf(body.stateMachineArn);
      return {
        stateMachineArn: m.stateMachineArn,
        name: m.name,
        status: 'ACTIVE',
        definition: m.definition,
        roleArn: m.roleArn,
        type: 'STANDARD',
        creationDate: m.creationDate / 1000,
      };
    },
    UpdateStateMachine(body) {
      const m = machineOf(body.stateMachineArn);
      if (body.definition !== undefined) {
        parseDefinition(body.definition);
        m.definition = body.definition as string;
      }
      return { updateDate: now() / 1000 };
    },
    DeleteStateMachine(body) {
      machines.delete(machineOf(body.stateMachineArn).stateMachineArn);
      return {};
    },
    ListStateMachines() {
      return {
        stateMachines: [...machines.values()].map((m) => ({
          stateMachineArn: m.stateMachineArn,
          name: m.name,
          type: 'STANDARD',
          creationDate: m.creationDate / 1000,
        })),
      };
    },
    StartExecution(body) {
      const machine = machineOf(body.stateMachineArn);
      const name = body.name === undefined ? randomUUID() : body.name;
      if (typeof name !== 'string' || !NAME_PATTERN.test(name))
        throw new SfnError('InvalidName', `Invalid Name: '${String(name)}'`);
      const input = body.input === undefined ? '{}' : body.input;
      if (typeof input !== 'string' || Buffer.byteLength(input) > MAX_INPUT_BYTES) {
        throw new SfnError('InvalidExecutionInput', 'Invalid execution input');
      }
      try {
        JSON.parse(input);
      } catch {
        throw new SfnError(
          'InvalidExecutionInput',
          'Invalid State Machine Execution Input: the input is not valid JSON',
        );
      }
      const executionArn = `arn:aws:states:${region}:${accountId}:execution:${machine.name}:${name}`;
      const existing = executions.get(executionArn);
      if (existing) {
        // Standard workflows: same name and input while running returns the same execution.
        if (existing.status === 'RUNNING' && existing.input === input) {
          return { executionArn, startDate: existing.startDate / 1000 };
        }
        throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
      }
      const execution: Execution = {
        executionArn,
        stateMachineArn: machine.stateMachineArn,
        name,
        input,
        startDate: now(),
        status: 'RUNNING',
        events: [],
      };
      executions.set(executionArn, execution);
      run(machine, execution);
      return { executionArn, startDate: execution.startDate / 1000 };
    },
    DescribeExecution: (body) => describeExecution(executionOf(body.executionArn)),
    StopExecution(body) {
      const execution = executionOf(body.executionArn);
      if (execution.status === 'RUNNING') {
        execution.events.push({
          timestamp: now(),
          type: 'ExecutionAborted',
          details: {
            executionAbortedEventDetails: {
              ...(body.error ? { error: body.error } : {}),
              ...(body.cause ? { cause: body.cause } : {}),
            },
          },
          order: 1e9,
        });
        finish(execution, 'ABORTED', {
          ...(typeof body.error === 'string' ? { error: body.error } : {}),
          ...(typeof body.cause === 'string' ? { cause: body.cause } : {}),
        });
        execution.abort?.();
      }
      return { stopDate: (execution.stopDate ?? now()) / 1000 };
    },
    ListExecutions(body) {
      machineOf(body.stateMachineArn);
      const all = [...executions.values()]
        .filter(
          (e) =>
            e.stateMachineArn === body.stateMachineArn &&
            (!body.statusFilter || e.status === body.statusFilter),
        )
        .sort((a, b) => b.startDate - a.startDate);
      const { page, nextToken } = paginate(all, body);
      return {
        executions: page.map((e) => ({
          executionArn: e.executionArn,
          stateMachineArn: e.stateMachineArn,
          name: e.name,
          status: e.status,
          startDate: e.startDate / 1000,
          ...(e.stopDate ? { stopDate: e.stopDate / 1000 } : {}),
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    GetExecutionHistory(body) {
      const execution = executionOf(body.executionArn);
      let events = orderedHistory(execution.events);
      if (body.includeExecutionData === false) events = events.map(withoutData) as typeof events;
      if (body.reverseOrder === true) events = events.reverse();
      const { page, nextToken } = paginate(events, body);
      return { events: page, ...(nextToken ? { nextToken } : {}) };
    },
    SendTaskSuccess(body) {
      let output: unknown;
      try {
        output = JSON.parse(String(body.output));
      } catch {
        throw new SfnError('InvalidOutput', 'Invalid Output: the output is not valid JSON');
      }
      tokens.succeed(body.taskToken, output);
      return {};
    },
    SendTaskFailure(body) {
      tokens.fail(
        body.taskToken,
        typeof body.error === 'string' ? body.error : '',
        typeof body.cause === 'string' ? body.cause : '',
      );
      return {};
    },
    SendTaskHeartbeat(body) {
      tokens.heartbeat(body.taskToken);
      return {};
    },
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const failure = error instanceof SfnError ? error : new SfnError('InternalFailure', 'internal error');
      answer(
        response,
        failure.name === 'InternalFailure' ? 500 : 400,
        { __type: failure.name, message: failure.message },
        failure.name,
      );
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method === 'GET')
      return answer(response, request.url === '/health' ? 200 : 404, { ok: request.url === '/health' });
    const target = String(request.headers['x-amz-target'] ?? '');
    const operationName = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const operation = Object.hasOwn(operations, operationName) ? operations[operationName] : undefined;
    if (!operation)
      throw new SfnError('UnknownOperationException', `Unknown operation ${operationName || target}`);
    let body: Body;
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      throw new SfnError('SerializationException', 'The request body is not valid JSON');
    }
    return answer(response, 200, (await operation(body)) ?? {});
  }

  const url = await listen(server, options.port ?? 0);
  return {
    url,
    close: async () => {
      closing = true;
      for (const execution of executions.values()) {
        if (execution.status === 'RUNNING') {
          finish(execution, 'ABORTED', {});
          execution.abort?.();
        }
      }
      await close(server);
    },
  };
}

function answer(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  if (response.headersSent) return;
  response.statusCode = status;
  response.setHeader('content-type', 'application/x-amz-json-1.0');
  response.setHeader('x-amzn-requestid', randomUUID());
  if (errorType) response.setHeader('x-amzn-errortype', errorType);
  response.end(JSON.stringify(body));
}

function paginate<T>(items: readonly T[], body: Body): { page: T[]; nextToken?: string } {
  const max = Number(body.maxResults ?? 0) || 100;
  const start =
    typeof body.nextToken === 'string' ? Number(Buffer.from(body.nextToken, 'base64url').toString()) || 0 : 0;
  const page = items.slice(start, start + max);
  return start + max < items.length
    ? { page, nextToken: Buffer.from(String(start + max)).toString('base64url') }
    : { page };
}

function withoutData(event: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const { input: _i, output: _o, parameters: _p, ...rest } = value as Record<string, unknown>;
      out[key] = rest;
    } else out[key] = value;
  }
  return out;
}

/** Maps the library's event log to AWS history event types and detail fields. */
function mapLibraryEvent(event: EventLog, roleArn: string): Omit<RawEvent, 'order'> | undefined {
  const base = { timestamp: event.timestamp };
  switch (event.type) {
    case 'ExecutionStarted':
      return {
        ...base,
        type: 'ExecutionStarted',
        details: {
          executionStartedEventDetails: {
            input: JSON.stringify(event.input),
            inputDetails: { truncated: false },
            roleArn,
          },
        },
      };
    case 'ExecutionSucceeded':
      return {
        ...base,
        type: 'ExecutionSucceeded',
        details: {
          executionSucceededEventDetails: {
            output: JSON.stringify(event.output),
            outputDetails: { truncated: false },
          },
        },
      };
    case 'ExecutionFailed': {
      const cause =
        typeof event.Cause === 'object' && event.Cause !== null
          ? String((event.Cause as { causeText?: string }).causeText ?? (event.Cause as Error).message)
          : String(event.Cause ?? '');
      return {
        ...base,
        type: 'ExecutionFailed',
        details: { executionFailedEventDetails: { error: event.Error, cause } },
      };
    }
    case 'StateEntered':
      return {
        ...base,
        type: `${event.state.type}StateEntered`,
        stateName: event.state.name,
        details: {
          stateEnteredEventDetails: {
            name: event.state.name,
            input: JSON.stringify(event.state.input),
            inputDetails: { truncated: false },
          },
        },
      };
    case 'StateExited':
      return {
        ...base,
        type: `${event.state.type}StateExited`,
        stateName: event.state.name,
        details: {
          stateExitedEventDetails: {
            name: event.state.name,
            output: JSON.stringify(event.state.output),
            outputDetails: { truncated: false },
          },
        },
      };
    default:
      return undefined;
  }
}
