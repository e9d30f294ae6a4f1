import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
  CreateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { RunningLocalStack } from '../../local/stack';
import { freshSourceIp, httpClient } from './http-client';
import { cancelTokenFrom, codeFrom, mailbox } from './mailbox';
import { auditOf } from './recoveries';
import { stackClients } from './stack-clients';
import { signIn, type TestUser } from './users';

/** Helpers for tests that drive one recovery through its states on a stack of their own. */
export function recoveryDriver(own: { current: RunningLocalStack }) {
  const stack = () => own.current.info;
  const clients = () => stackClients(stack());
  const mail = () => mailbox(stack().endpoints.ses);

  /** Starts a request, with the password or as "I also lost my password". */
  async function request(user: TestUser, how: 'password' | 'anonymous' = 'password', api = client()) {
    const body =
      how === 'password'
        ? { username: user.username, password: user.password }
        : { username: user.username, lostPassword: true };
    const answer = await api.post('/recoveries', body);
    return { api, answer, requestId: (answer.json as { requestId?: string } | undefined)?.requestId ?? '' };
  }

  const client = () => httpClient(stack().apiUrl, freshSourceIp());

  /** The `count`-th code email of the user: its code and its cancel token. */
  async function codeEmail(user: TestUser, count = 1) {
    const email = await mail().waitFor(user.email, /code to remove/, count);
    return { code: codeFrom(email), cancelToken: cancelTokenFrom(email) };
  }

  /** Whether sign-in still asks for the TOTP code (the factor is still there). */
  async function stillHasTotp(user: TestUser) {
    return (await signIn(clients().cognito, stack(), user)).ChallengeName === 'SOFTWARE_TOKEN_MFA';
  }

  async function executionStatus(requestId: string) {
    const arn = stack().stateMachineArn.replace(':stateMachine:', ':execution:');
    const described = await clients().sfn.send(
      new DescribeExecutionCommand({ executionArn: `${arn}:${requestId}` }),
    );
    return described.status;
  }

  /** The request item as stored (tests read state; they never write it). */
  async function stored(requestId: string) {
    const item = await clients().documents.send(
      new GetCommand({
        TableName: stack().tables.recoveries,
        Key: { pk: `REQ#${requestId}`, sk: 'META' },
        ConsistentRead: true,
      }),
    );
    return item.Item as Record<string, unknown> | undefined;
  }

  async function subOf(cognito: CognitoIdentityProviderClient, username: string) {
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: stack().userPoolId, Username: username }),
    );
    return user.UserAttributes?.find((a) => a.Name === 'sub')?.Value ?? '';
  }

  async function ensureGroup(name: string) {
    await clients()
      .cognito.send(new CreateGroupCommand({ UserPoolId: stack().userPoolId, GroupName: name }))
      .catch((error) => {
        if ((error as Error).name !== 'GroupExistsException') throw error;
      });
  }

  const audit = (requestId: string) => auditOf(clients().documents, stack(), requestId);

  return {
    stack,
    clients,
    mail,
    client,
    request,
    codeEmail,
    stillHasTotp,
    executionStatus,
    stored,
    subOf,
    ensureGroup,
    audit,
  };
}
