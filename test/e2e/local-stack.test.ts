import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, inject, it } from 'vitest';

const stack = inject('stack');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('the local stack', () => {
  it('answers GET /health with 200 once every service is up', async () => {
    const response = await fetch(`${stack.apiUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      services: { dynamodb: true, ses: true, cognito: true, stepfunctions: true, api: true },
    });
  });

  it('has created the tables named in stack.json', async () => {
    const dynamodb = new DynamoDBClient({
      endpoint: stack.endpoints.dynamodb,
      region: stack.region,
      credentials,
    });
    for (const tableName of Object.values(stack.tables)) {
      const table = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
      expect(table.Table?.TableStatus).toBe('ACTIVE');
    }
  });

  it('runs the workflow definition from statemachine/ as a Standard state machine', async () => {
    const sfn = new SFNClient({ endpoint: stack.endpoints.stepfunctions, region: stack.region, credentials });
    const machine = await sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: stack.stateMachineArn }),
    );
    expect(machine.type).toBe('STANDARD');
    expect(JSON.parse(machine.definition ?? '{}').StartAt).toBe('LookUpUser');
  });

  it('serves the mailbox viewer', async () => {
    const response = await fetch(stack.mailboxUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
  });

  it('answers an unknown route with 404 JSON, not a crash', async () => {
    const response = await fetch(`${stack.apiUrl}/no-such-route`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });
});
