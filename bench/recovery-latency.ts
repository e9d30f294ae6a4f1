import { randomUUID } from 'node:crypto';
import {
  AdminDeleteSoftwareTokenCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminUserGlobalSignOutCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StackInfo } from '../local/stack-info';
import { freshSourceIp, httpClient } from '../test/support/http-client';
import { codeFrom, mailbox, type StoredEmail } from '../test/support/mailbox';
import { stackClients } from '../test/support/stack-clients';
import { createUser, type TestUser } from '../test/support/users';
import { summarise } from './stats';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Creates users in small batches so set-up does not dominate the machine. */
async function createUsers(stack: StackInfo, count: number): Promise<TestUser[]> {
  const { cognito } = stackClients(stack);
  const users: TestUser[] = [];
  for (let i = 0; i < count; i += 10) {
    users.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(10, count - i) }, () =>
          createUser(cognito, stack, { prefix: 'bench' }),
        ),
      )),
    );
  }
  return users;
}

/** Watches the mailbox with one poller and resolves each address's first code email. */
function mailWatcher(stack: StackInfo) {
  const box = mailbox(stack.endpoints.ses);
  const waiting = new Map<string, (email: StoredEmail) => void>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const email of await box.all()) {
        for (const to of email.destination.to) {
          const resolve = waiting.get(to);
          if (resolve && /code to remove/.test(email.subject)) {
            waiting.delete(to);
            resolve(email);
          }
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    next: (address: string) => new Promise<StoredEmail>((resolve) => waiting.set(address, resolve)),
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** Runs `count` concurrent recoveries through the product, then the same necessary SDK calls directly. */
export async function measureRecoveries(stack: StackInfo, count: number) {
  const users = await createUsers(stack, count * 2);
  const product = users.slice(0, count);
  const floorUsers = users.slice(count);
  const clients = stackClients(stack);
  const watcher = mailWatcher(stack);

  const requestToEmail: number[] = [];
  const confirmToRemoved: number[] = [];
  const started = performance.now();
  await Promise.all(
    product.map(async (user) => {
      const api = httpClient(stack.apiUrl, freshSourceIp());
      const t0 = performance.now();
      const emailArrives = watcher.next(user.email);
      const answer = await api.post('/recoveries', { username: user.username, password: user.password });
      if (answer.status !== 202) throw new Error(`POST /recoveries answered ${answer.status}`);
      const { requestId } = answer.json as { requestId: string };
      const code = codeFrom(await emailArrives);
      requestToEmail.push(performance.now() - t0);
      const t1 = performance.now();
      const confirmed = await api.post(`/recoveries/${requestId}/confirm`, { code });
      if (confirmed.status !== 200) throw new Error(`confirm answered ${confirmed.status}`);
      for (;;) {
        const read = await clients.cognito.send(
          new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: user.username }),
        );
        if (!(read.UserMFASettingList ?? []).includes('SOFTWARE_TOKEN_MFA')) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      confirmToRemoved.push(performance.now() - t1);
    }),
  );
  const elapsedSeconds = (performance.now() - started) / 1000;
  await watcher.stop();

  const floor = await measureFloor(stack, floorUsers);
  const request = summarise(requestToEmail);
  const confirm = summarise(confirmToRemoved);
  return {
    count,
    requestToEmail: request,
    confirmToRemoved: confirm,
    recoveriesPerSecond: count / elapsedSeconds,
    floor,
    ratio: {
      requestToEmail: request.p50 / floor.requestToEmail.p50,
      confirmToRemoved: confirm.p50 / floor.confirmToRemoved.p50,
    },
  };
}

/**
 * The floor: the SDK calls a recovery cannot avoid, made directly and with the same concurrency.
 * Request: password proof, user read, groups, challenge write, email. Confirm: challenge read and
 * settle, factor removal, read-back, global sign-out.
 */
async function measureFloor(stack: StackInfo, users: readonly TestUser[]) {
  const { cognito, documents } = stackClients(stack);
  const ses = new SESv2Client({ endpoint: stack.endpoints.ses, region: stack.region, credentials });
  const requestToEmail: number[] = [];
  const confirmToRemoved: number[] = [];
  await Promise.all(
    users.map(async (user) => {
      const key = { pk: `BENCH#${randomUUID()}`, sk: 'CHALLENGE' };
      const t0 = performance.now();
      await cognito
        .send(
          new AdminInitiateAuthCommand({
            UserPoolId: stack.userPoolId,
            ClientId: stack.passwordProofClientId,
            AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
          }),
        )
        .catch(() => undefined);
      await cognito.send(new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: user.username }));
      await cognito.send(
        new AdminListGroupsForUserCommand({ UserPoolId: stack.userPoolId, Username: user.username }),
      );
      await documents.send(
        new PutCommand({
          TableName: stack.tables.recoveries,
          Item: { ...key, status: 'PENDING', attempts: 0 },
        }),
      );
      await ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'bench@example.com',
          Destination: { ToAddresses: [`floor-${user.email}`] },
          Content: { Simple: { Subject: { Data: 'floor' }, Body: { Text: { Data: '0000 0000' } } } },
        }),
      );
      requestToEmail.push(performance.now() - t0);
      const t1 = performance.now();
      await documents.send(
        new GetCommand({ TableName: stack.tables.recoveries, Key: key, ConsistentRead: true }),
      );
      await documents.send(
        new UpdateCommand({
          TableName: stack.tables.recoveries,
          Key: key,
          UpdateExpression: 'SET #s = :used',
          ConditionExpression: '#s = :pending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':used': 'USED', ':pending': 'PENDING' },
        }),
      );
      await cognito.send(
        new AdminDeleteSoftwareTokenCommand({ UserPoolId: stack.userPoolId, Username: user.username }),
      );
      await cognito.send(new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: user.username }));
      await cognito.send(
        new AdminUserGlobalSignOutCommand({ UserPoolId: stack.userPoolId, Username: user.username }),
      );
      confirmToRemoved.push(performance.now() - t1);
    }),
  );
  return { requestToEmail: summarise(requestToEmail), confirmToRemoved: summarise(confirmToRemoved) };
}
