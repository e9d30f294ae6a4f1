import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { FaultPlan } from '../local/faults/fault-proxy';
import type { StackInfo } from '../local/stack-info';
import { freshSourceIp, httpClient } from '../test/support/http-client';
import { codeFrom, mailbox } from '../test/support/mailbox';
import { waitForStatus } from '../test/support/recoveries';
import { stackClients } from '../test/support/stack-clients';
import { createUser } from '../test/support/users';

/** AWS list prices, us-east-1, November 2026 (USD). */
export const PRICES = {
  stateTransition: 0.025 / 1000,
  lambdaRequest: 0.2 / 1_000_000,
  lambdaGbSecondArm: 0.0000133334,
  dynamoWriteUnit: 0.625 / 1_000_000,
  dynamoReadUnit: 0.125 / 1_000_000,
  sesEmail: 0.1 / 1000,
  httpApiRequest: 1 / 1_000_000,
  eventBridgeEvent: 1 / 1_000_000,
};
/** The functions' memory size in the CDK stack, and Lambda's 1 ms billing granularity. */
const LAMBDA_MEMORY_GB = 0.25;

const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem'];
const READS = ['GetItem', 'Query'];

/**
 * One low-risk recovery on a metered stack (every AWS call the functions make passes the fault
 * proxies, which count them), priced from what it actually did: state transitions and Lambda
 * durations from the execution history, DynamoDB units and emails from the counted calls.
 */
export async function costOfOneRecovery(stack: StackInfo, meter: FaultPlan) {
  const { cognito, sfn } = stackClients(stack);
  const user = await createUser(cognito, stack, { prefix: 'cost' });
  meter.calls.clear();
  const api = httpClient(stack.apiUrl, freshSourceIp());
  const apiDurations: number[] = [];
  const call = async <T>(work: () => Promise<T>) => {
    const t0 = performance.now();
    const result = await work();
    apiDurations.push(performance.now() - t0);
    return result;
  };
  const started = await call(() =>
    api.post('/recoveries', { username: user.username, password: user.password }),
  );
  const { requestId } = started.json as { requestId: string };
  const code = codeFrom(await mailbox(stack.endpoints.ses).waitFor(user.email, /code to remove/));
  await call(() => api.post(`/recoveries/${requestId}/confirm`, { code }));
  await waitForStatus(api, requestId, 'COMPLETED');
  await new Promise((resolve) => setTimeout(resolve, 500));

  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: `${stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${requestId}`,
        nextToken,
      }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const transitions = events.filter((e) => e.type?.endsWith('StateEntered')).length;
  // lambda:invoke tasks: TaskScheduled (resourceType lambda) -> TaskStarted -> TaskSucceeded/Failed.
  const lambdaTasks = events.filter(
    (e) => e.type === 'TaskScheduled' && e.taskScheduledEventDetails?.resourceType === 'lambda',
  );
  const workflowDurations = lambdaTasks.flatMap((scheduled) => {
    const taskStarted = events.find((e) => e.type === 'TaskStarted' && e.previousEventId === scheduled.id);
    const ended = events.find(
      (e) => (e.type === 'TaskSucceeded' || e.type === 'TaskFailed') && e.previousEventId === taskStarted?.id,
    );
    const begin = taskStarted?.timestamp?.getTime();
    const end = ended?.timestamp?.getTime();
    // A callback task's function returns at once; the wait that follows is not billed to Lambda.
    return begin !== undefined &&
      end !== undefined &&
      !scheduled.taskScheduledEventDetails?.resource?.includes('waitForTaskToken')
      ? [end - begin]
      : [];
  });
  const callbackTasks = lambdaTasks.length - workflowDurations.length;
  const invocations = lambdaTasks.length + apiDurations.length;
  const count = (service: string, operations: readonly string[]) =>
    operations.reduce((sum, op) => sum + (meter.calls.get(`${service}.${op}`) ?? 0), 0);
  // A transaction writes each of its items at twice the unit cost; ours hold two items.
  const writeUnits = count('dynamodb', WRITES) + 4 * count('dynamodb', ['TransactWriteItems']);
  const readUnits = count('dynamodb', READS);
  const emails = count('ses', ['SendEmail']);
  const events_ = count('eventbridge', ['PutEvents']);
  // A callback task's function runs about as long as an API call; bill it at the API calls' longest.
  const callbackMs = callbackTasks * Math.max(0, ...apiDurations);
  const billedMs =
    [...workflowDurations, ...apiDurations].reduce((sum, d) => sum + Math.max(1, Math.ceil(d)), 0) +
    Math.ceil(callbackMs);
  const lines = {
    'Step Functions state transitions': transitions * PRICES.stateTransition,
    'Lambda requests': invocations * PRICES.lambdaRequest,
    'Lambda duration (arm64, 256 MB)': (billedMs / 1000) * LAMBDA_MEMORY_GB * PRICES.lambdaGbSecondArm,
    'DynamoDB on-demand writes': writeUnits * PRICES.dynamoWriteUnit,
    'DynamoDB on-demand reads': readUnits * PRICES.dynamoReadUnit,
    'SES emails': emails * PRICES.sesEmail,
    'HTTP API requests': apiDurations.length * PRICES.httpApiRequest,
    'EventBridge events': events_ * PRICES.eventBridgeEvent,
  };
  return {
    usage: {
      transitions,
      invocations,
      billedMs,
      writeUnits,
      readUnits,
      emails,
      apiRequests: apiDurations.length,
      events: events_,
    },
    lines,
    total: Object.values(lines).reduce((sum, value) => sum + value, 0),
    calls: Object.fromEntries([...meter.calls.entries()].sort()),
  };
}
