import { readFileSync } from 'node:fs';
import { ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  SendTaskSuccessCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, inject, it } from 'vitest';
import { freshSourceIp, httpClient } from '../support/http-client';
import { cancelTokenFrom, codeFrom, mailbox } from '../support/mailbox';
import { waitForStatus } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { createUser } from '../support/users';

const stack = inject('stack');
const { cognito, dynamodb, sfn } = stackClients(stack);
const mail = mailbox(stack.endpoints.ses);

async function allHistory(executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

async function scanAllTables(): Promise<string> {
  const { TableNames = [] } = await dynamodb.send(new ListTablesCommand({}));
  const dumps: string[] = [];
  for (const TableName of TableNames) {
    let ExclusiveStartKey: Record<string, never> | undefined;
    do {
      const page = await dynamodb.send(new ScanCommand({ TableName, ExclusiveStartKey }));
      dumps.push(JSON.stringify(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey as typeof ExclusiveStartKey;
    } while (ExclusiveStartKey);
  }
  return dumps.join('\n');
}

describe('secrets after a full run', () => {
  it('appear nowhere: not in tables, audit, state input/output, execution output, logs or published events', async () => {
    const secrets: string[] = [];
    const requestIds: string[] = [];
    const api = httpClient(stack.apiUrl, freshSourceIp());

    // A completed, a locked and a cancelled request.
    for (const ending of ['complete', 'lock', 'cancel'] as const) {
      const user = await createUser(cognito, stack);
      secrets.push(user.password);
      const started = await api.post('/recoveries', { username: user.username, password: user.password });
      const { requestId } = started.json as { requestId: string };
      requestIds.push(requestId);
      const email = await mail.waitFor(user.email, /code to remove/);
      const code = codeFrom(email);
      const token = cancelTokenFrom(email);
      secrets.push(code, code.replace(' ', ''), token);
      if (ending === 'complete') await api.post(`/recoveries/${requestId}/confirm`, { code });
      if (ending === 'cancel') await api.post(`/recoveries/${requestId}/cancel`, { token });
      if (ending === 'lock') {
        for (let i = 0; i < 5; i += 1)
          await api.post(`/recoveries/${requestId}/confirm`, { code: '00000000' });
      }
      await waitForStatus(api, requestId);
    }

    const taskTokens: string[] = [];
    const stateData: string[] = [];
    for (const requestId of requestIds) {
      const executionArn = `${stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${requestId}`;
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      stateData.push(execution.input ?? '', execution.output ?? '');
      for (const event of await allHistory(executionArn)) {
        const { taskScheduledEventDetails, ...rest } = event;
        stateData.push(JSON.stringify(rest));
        // AWS records a task's parameters, the callback token included, in TaskScheduled: that one
        // place is allowed to hold the token, which must be dead by now.
        const parameters = taskScheduledEventDetails?.parameters ?? '';
        const token = /"taskToken":"([^"]+)"/.exec(parameters)?.[1];
        if (token) taskTokens.push(token);
      }
    }
    expect(taskTokens.length).toBeGreaterThanOrEqual(3);
    for (const taskToken of taskTokens) {
      await expect(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }))).rejects.toMatchObject({
        name: 'TaskTimedOut',
      });
    }

    const places = {
      'DynamoDB tables (including the audit table)': await scanAllTables(),
      'state input/output and execution history': stateData.join('\n'),
      'function logs': readFileSync(stack.logFile, 'utf8'),
      'published EventBridge events': await (await fetch(stack.eventsUrl)).text(),
      'execution listing': JSON.stringify(
        await sfn.send(
          new ListExecutionsCommand({ stateMachineArn: stack.stateMachineArn, maxResults: 1000 }),
        ),
      ),
    };
    // The pepper itself, as the functions read it from (local) Secrets Manager.
    const pepper = await new SecretsManagerClient({
      endpoint: stack.endpoints.secretsmanager,
      region: stack.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }).send(new GetSecretValueCommand({ SecretId: stack.pepperSecretArn }));
    expect(pepper.SecretString?.length).toBeGreaterThan(20);
    secrets.push(pepper.SecretString as string);
    for (const [place, text] of Object.entries(places)) {
      for (const secret of [...secrets, ...taskTokens]) {
        expect(text.includes(secret), `${place} holds a secret`).toBe(false);
      }
    }
  });
});
