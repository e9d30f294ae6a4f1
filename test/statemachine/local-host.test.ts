import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb/dynamodb-local';
import { type RunningStepFunctionsHost, startStepFunctionsHost } from '../../local/step-functions';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const region = 'us-east-1';
const fn = (name: string) => `arn:aws:lambda:${region}:000000000000:function:${name}`;

// Test functions: each records its payloads, and `flaky` fails with a named error twice.
const received: Record<string, unknown[]> = {};
let flakyCalls = 0;
let serviceCalls = 0;
class CustomError extends Error {
  override name = 'CustomError';
}
async function invokeLambda(name: string, payload: unknown): Promise<unknown> {
  const short = name.split(':').pop() as string;
  received[short] = [...(received[short] ?? []), payload];
  if (short === 'flaky' && ++flakyCalls <= 2) throw new CustomError('not yet');
  if (short === 'explode') throw new CustomError('always');
  if (short === 'service' && ++serviceCalls <= 1) {
    throw Object.assign(new Error('Lambda was unable to run the function'), {
      name: 'Lambda.ServiceException',
    });
  }
  return { echoed: payload };
}

let ddb: RunningDynamoDbLocal;
let host: RunningStepFunctionsHost;
let sfn: SFNClient;

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  host = await startStepFunctionsHost({
    invokeLambda,
    serviceEndpoints: { dynamodb: ddb.url },
    timeScale: 0.01,
  });
  sfn = new SFNClient({ endpoint: host.url, region, credentials });
  const dynamodb = new DynamoDBClient({ endpoint: ddb.url, region, credentials });
  await dynamodb.send(
    new CreateTableCommand({
      TableName: 'things',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
});
afterAll(async () => {
  await host.close();
  await ddb.close();
});

let machineCount = 0;
async function machine(states: Record<string, unknown>, startAt = Object.keys(states)[0] as string) {
  machineCount += 1;
  const created = await sfn.send(
    new CreateStateMachineCommand({
      name: `test-${machineCount}`,
      roleArn: 'arn:aws:iam::000000000000:role/test',
      definition: JSON.stringify({ StartAt: startAt, States: states }),
    }),
  );
  return created.stateMachineArn as string;
}

async function start(stateMachineArn: string, input: unknown = {}, name?: string) {
  const started = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), name }),
  );
  return started.executionArn as string;
}

async function settled(executionArn: string, timeoutMs = 10_000): Promise<DescribeExecutionCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING' || Date.now() > deadline) return execution;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function history(executionArn: string) {
  return (await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events ?? [];
}

async function waitForPayloads(name: string, count: number) {
  for (let i = 0; i < 500 && (received[name]?.length ?? 0) < count; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return received[name] ?? [];
}

const callbackTask = (name: string, extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: { FunctionName: fn(name), Payload: { 'token.$': '$$.Task.Token', 'round.$': '$.round' } },
  TimeoutSeconds: 30,
  ...extra,
});

describe('callback tasks (.waitForTaskToken)', () => {
  it('hand a distinct token to each entry, resume on SendTaskSuccess, and refuse a used token', async () => {
    const arn = await machine({
      Wait: { ...callbackTask('waiter'), ResultPath: '$.reply', Next: 'Again' },
      Again: {
        Type: 'Choice',
        Choices: [{ Variable: '$.reply.more', BooleanEquals: true, Next: 'Wait' }],
        Default: 'Done',
      },
      Done: { Type: 'Succeed' },
    });
    const executionArn = await start(arn, { round: 1 });
    const [first] = (await waitForPayloads('waiter', 1)) as { token: string }[];
    await sfn.send(
      new SendTaskSuccessCommand({ taskToken: first?.token, output: JSON.stringify({ more: true }) }),
    );
    const payloads = (await waitForPayloads('waiter', 2)) as { token: string }[];
    const second = payloads[1]?.token;
    expect(second).toEqual(expect.any(String));
    expect(second).not.toBe(first?.token);
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: first?.token, output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskTimedOut' });
    await sfn.send(
      new SendTaskSuccessCommand({ taskToken: second, output: JSON.stringify({ more: false }) }),
    );
    const done = await settled(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output as string).reply).toEqual({ more: false });
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' })),
    ).rejects.toMatchObject({
      name: 'InvalidToken',
    });
  });

  it('turn TimeoutSeconds into States.Timeout, caught by Catch, after which the token is dead', async () => {
    const arn = await machine({
      Wait: {
        ...callbackTask('sleeper', { TimeoutSeconds: 1 }),
        Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' }],
        End: true,
      },
      TimedOut: { Type: 'Pass', Result: 'timed out', ResultPath: '$.outcome', End: true },
    });
    const executionArn = await start(arn, { round: 1 });
    const [payload] = (await waitForPayloads('sleeper', 1)) as { token: string }[];
    const done = await settled(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output as string)).toMatchObject({
      outcome: 'timed out',
      error: { Error: 'States.Timeout' },
    });
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: payload?.token, output: '{}' })),
    ).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
    expect((await history(executionArn)).map((e) => e.type)).toContain('TaskTimedOut');
  });

  it('resolve TimeoutSecondsPath against the state input, as AWS does', async () => {
    const arn = await machine({
      Wait: {
        ...callbackTask('pathed'),
        TimeoutSeconds: undefined,
        TimeoutSecondsPath: '$.policy.seconds',
        Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' }],
        End: true,
      },
      TimedOut: { Type: 'Succeed' },
    });
    const executionArn = await start(arn, { round: 1, policy: { seconds: 1 } });
    const [payload] = (await waitForPayloads('pathed', 1)) as Record<string, unknown>[];
    expect(Object.keys(payload ?? {}).sort()).toEqual(['round', 'token']);
    const done = await settled(executionArn);
    expect(JSON.parse(done.output as string).error.Error).toBe('States.Timeout');
  });

  it('fail with the error name given to SendTaskFailure, which Catch matches', async () => {
    const arn = await machine({
      Wait: {
        ...callbackTask('locker'),
        Catch: [{ ErrorEquals: ['CodeLocked'], ResultPath: '$.error', Next: 'Locked' }],
        End: true,
      },
      Locked: { Type: 'Fail', Error: 'Locked', Cause: 'locked' },
    });
    const executionArn = await start(arn, { round: 1 });
    const [payload] = (await waitForPayloads('locker', 1)) as { token: string }[];
    await sfn.send(
      new SendTaskFailureCommand({ taskToken: payload?.token, error: 'CodeLocked', cause: 'too many' }),
    );
    const done = await settled(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'Locked' });
    const failed = (await history(executionArn)).find((e) => e.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toMatchObject({ error: 'CodeLocked', cause: 'too many' });
  });
});

describe('Retry and Catch on named errors', () => {
  it('retries DynamoDB.ConditionalCheckFailedException from dynamodb:putItem, then catches it', async () => {
    const arn = await machine({
      Put: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:putItem',
        Parameters: {
          TableName: 'things',
          Item: { pk: { S: 'same' } },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
        TimeoutSeconds: 10,
        Retry: [
          { ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], MaxAttempts: 2, IntervalSeconds: 1 },
        ],
        Catch: [
          {
            ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
            ResultPath: '$.error',
            Next: 'Exists',
          },
        ],
        End: true,
      },
      Exists: { Type: 'Pass', End: true },
    });
    expect((await settled(await start(arn))).status).toBe('SUCCEEDED');
    const second = await start(arn);
    const done = await settled(second);
    expect(JSON.parse(done.output as string).error.Error).toBe('DynamoDB.ConditionalCheckFailedException');
    const types = (await history(second)).map((e) => e.type);
    expect(types.filter((t) => t === 'TaskScheduled')).toHaveLength(3);
    expect(types.filter((t) => t === 'TaskFailed')).toHaveLength(3);
  });

  it('retries a Lambda function error by its name until it succeeds', async () => {
    flakyCalls = 0;
    const arn = await machine({
      Call: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: fn('flaky'), Payload: { 'n.$': '$.n' } },
        TimeoutSeconds: 10,
        Retry: [{ ErrorEquals: ['CustomError'], MaxAttempts: 3, IntervalSeconds: 1 }],
        ResultSelector: { 'value.$': '$.Payload' },
        End: true,
      },
    });
    const done = await settled(await start(arn, { n: 7 }));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output as string)).toEqual({ value: { echoed: { n: 7 } } });
    expect(flakyCalls).toBe(3);
  });

  it('retries Lambda.ServiceException, the error of the Lambda service itself', async () => {
    const arn = await machine({
      Call: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: fn('service'), Payload: {} },
        TimeoutSeconds: 10,
        Retry: [{ ErrorEquals: ['Lambda.ServiceException'], MaxAttempts: 2, IntervalSeconds: 1 }],
        End: true,
      },
    });
    const executionArn = await start(arn);
    expect((await settled(executionArn)).status).toBe('SUCCEEDED');
    const failed = (await history(executionArn)).filter((e) => e.type === 'TaskFailed');
    expect(failed.map((e) => e.taskFailedEventDetails?.error)).toEqual(['Lambda.ServiceException']);
  });

  it('names aws-sdk integration errors with the service prefix, e.g. DynamoDb.ResourceNotFoundException', async () => {
    const arn = await machine({
      Get: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:dynamodb:getItem',
        Parameters: { TableName: 'no-such-table', Key: { pk: { S: 'x' } } },
        TimeoutSeconds: 10,
        Catch: [
          { ErrorEquals: ['DynamoDb.ResourceNotFoundException'], ResultPath: '$.error', Next: 'Missing' },
        ],
        End: true,
      },
      Missing: { Type: 'Succeed' },
    });
    const done = await settled(await start(arn));
    expect(JSON.parse(done.output as string).error.Error).toBe('DynamoDb.ResourceNotFoundException');
  });

  it('fails the execution with the function error name and the Lambda-shaped cause when nothing catches it', async () => {
    const arn = await machine({
      Call: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: fn('explode'), Payload: {} },
        TimeoutSeconds: 10,
        End: true,
      },
    });
    const done = await settled(await start(arn));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('CustomError');
    expect(JSON.parse(done.cause as string)).toMatchObject({
      errorType: 'CustomError',
      errorMessage: 'always',
    });
  });
});

describe('heartbeats', () => {
  it('keep a task alive past HeartbeatSeconds, and their absence fails it with States.HeartbeatTimeout', async () => {
    const arn = await machine({
      Wait: {
        ...callbackTask('beating', { HeartbeatSeconds: 1 }),
        Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], ResultPath: '$.error', Next: 'Silent' }],
        End: true,
      },
      Silent: { Type: 'Succeed' },
    });
    const executionArn = await start(arn, { round: 1 });
    const [payload] = (await waitForPayloads('beating', 1)) as { token: string }[];
    for (let i = 0; i < 3; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 600));
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken: payload?.token }));
    }
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    const done = await settled(executionArn);
    expect(JSON.parse(done.output as string).error.Error).toBe('States.HeartbeatTimeout');
  });
});

describe('executions', () => {
  const waiting = () => machine({ Wait: { ...callbackTask('idle'), End: true } });

  it('are idempotent by name and input while running, and refuse a different input', async () => {
    const arn = await waiting();
    const first = await start(arn, { round: 1 }, 'same-name');
    expect(await start(arn, { round: 1 }, 'same-name')).toBe(first);
    await expect(start(arn, { round: 2 }, 'same-name')).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
    await expect(start(arn, {}, 'bad name')).rejects.toMatchObject({ name: 'InvalidName' });
    await sfn.send(new StopExecutionCommand({ executionArn: first }));
  });

  it('stop as ABORTED, closing their open tokens, and list by status', async () => {
    const arn = await waiting();
    const before = received.idle?.length ?? 0;
    const executionArn = await start(arn, { round: 1 });
    const payloads = (await waitForPayloads('idle', before + 1)) as { token: string }[];
    await sfn.send(new StopExecutionCommand({ executionArn, error: 'Stopped', cause: 'test' }));
    expect((await settled(executionArn)).status).toBe('ABORTED');
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: payloads.at(-1)?.token, output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskTimedOut' });
    const aborted = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'ABORTED' }),
    );
    expect(aborted.executions?.map((e) => e.executionArn)).toContain(executionArn);
    const running = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'RUNNING' }),
    );
    expect(running.executions?.map((e) => e.executionArn)).not.toContain(executionArn);
  });

  it('record history in AWS event types and order, forwards and reversed', async () => {
    const arn = await machine({
      Call: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: fn('plain'), Payload: {} },
        TimeoutSeconds: 10,
        Next: 'End',
      },
      End: { Type: 'Succeed' },
    });
    const executionArn = await start(arn);
    await settled(executionArn);
    const types = (await history(executionArn)).map((e) => e.type);
    expect(types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    const reversed = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }));
    expect(reversed.events?.map((e) => e.type)).toEqual([...types].reverse());
  });
});

describe('definitions', () => {
  it('are refused without an explicit TimeoutSeconds on every Task, naming the state', async () => {
    await expect(
      machine({
        Call: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: fn('x') },
          End: true,
        },
      }),
    ).rejects.toMatchObject({
      name: 'InvalidDefinition',
      message: expect.stringContaining('Task state Call'),
    });
  });

  it('are refused when they use JSONata', async () => {
    await expect(
      sfn.send(
        new CreateStateMachineCommand({
          name: 'jsonata',
          roleArn: 'arn:aws:iam::000000000000:role/test',
          definition: JSON.stringify({
            QueryLanguage: 'JSONata',
            StartAt: 'A',
            States: { A: { Type: 'Succeed' } },
          }),
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidDefinition' });
  });
});
