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
import { codeFrom, type StoredEmail } from '../test/support/mailbox';
import { auditOf, waitForStatus } from '../test/support/recoveries';
import { stackClients } from '../test/support/stack-clients';
import { createUser, type TestUser } from '../test/support/users';
import { summarise } from './stats';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Creates users in small batches so set-up does not dominate the machine. */
export async function createUsers(stack: StackInfo, count: number): Promise<TestUser[]> {
  const { cognito } = stackClients(stack);
  const users: TestUser[] = [];
  for (let i = 0; i < count; i += 10) {
    const batch = Array.from({ length: Math.min(10, count - i) }, () =>
      createUser(cognito, stack, { prefix: 'bench' }),
    );
    users.push(...(await Promise.all(batch)));
  }
  return users;
}

/**
 * One mailbox poller (every 100 ms, new mail only) that resolves each address's code email, so the
 * measurement does not load the stack with a poller per user.
 */
export function mailWatcher(stack: StackInfo) {
  const waiting = new Map<string, (email: StoredEmail) => void>();
  const since = Math.floor(Date.now() / 1000) - 1;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const response = await fetch(`${stack.endpoints.ses}/store?since=${since}`);
      for (const email of ((await response.json()) as { emails: StoredEmail[] }).emails) {
        for (const to of email.destination.to) {
          const resolve = waiting.get(to);
          if (resolve && /code to remove/.test(email.subject)) {
            waiting.delete(to);
            resolve(email);
          }
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const timers = new Set<NodeJS.Timeout>();
  return {
    /** The next code email to `address`; rejects after `timeoutMs` so a lost email cannot hang the bench. */
    next: (address: string, timeoutMs = 120_000) =>
      new Promise<StoredEmail>((resolve, reject) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          waiting.delete(address);
          reject(new Error('no code email'));
        }, timeoutMs);
        timers.add(timer);
        waiting.set(address, (email) => {
          clearTimeout(timer);
          timers.delete(timer);
          resolve(email);
        });
      }),
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await loop;
    },
  };
}

const at = (records: { type: string; at?: unknown }[], type: string) => {
  const record = records.find((r) => r.type === type);
  if (!record) throw new Error(`no ${type} audit record`);
  return Date.parse(String(record.at));
};

/**
 * Low-risk recoveries through the product's HTTP API, each from its own source address: request,
 * code email, confirm, COMPLETED. Phase times come from the audit trail (the time SES accepted the
 * code email, the time the removal was verified, the terminal record), so no per-user poller
 * distorts them. `recover` throws on any answer a recovery should not get.
 */
export function apiRecoveries(stack: StackInfo) {
  const watcher = mailWatcher(stack);
  const { documents } = stackClients(stack);
  const recover = async (user: TestUser) => {
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const emailArrives = watcher.next(user.email);
    // A request refused before its email leaves the wait to time out unobserved.
    emailArrives.catch(() => undefined);
    const requestedAt = Date.now();
    const answer = await api.post('/recoveries', { username: user.username, password: user.password });
    if (answer.status !== 202) throw new Error(`POST /recoveries answered ${answer.status}`);
    const { requestId } = answer.json as { requestId: string };
    const code = codeFrom(await emailArrives);
    const confirmedAt = Date.now();
    const confirmed = await api.post(`/recoveries/${requestId}/confirm`, { code });
    if (confirmed.status !== 200) throw new Error(`confirm answered ${confirmed.status}`);
    await waitForStatus(api, requestId, 'COMPLETED', 120_000).catch(() => {
      throw new Error('not COMPLETED within 120 s');
    });
    const records = await auditOf(documents, stack, requestId);
    return {
      requestToEmail: at(records, 'CodeSent') - requestedAt,
      confirmToRemoved: at(records, 'TotpRemoved') - confirmedAt,
      wholeRecovery: at(records, 'RecoveryCompleted') - requestedAt,
    };
  };
  return { recover, stop: () => watcher.stop() };
}

/**
 * Runs `count` concurrent recoveries through the product's HTTP API, then the same necessary SDK
 * calls directly.
 */
export async function measureRecoveries(stack: StackInfo, count: number) {
  const users = await createUsers(stack, count * 2 + 1);
  const [warmUp, ...rest] = users;
  const product = rest.slice(0, count);
  const recoveries = apiRecoveries(stack);

  const requestToEmail: number[] = [];
  const confirmToRemoved: number[] = [];
  // One recovery first, so module loading (the local stand-in for Lambda cold starts) is not measured.
  await recoveries.recover(warmUp as TestUser);
  const started = performance.now();
  await Promise.all(
    product.map(async (user) => {
      const measured = await recoveries.recover(user);
      requestToEmail.push(measured.requestToEmail);
      confirmToRemoved.push(measured.confirmToRemoved);
    }),
  );
  const elapsedSeconds = (performance.now() - started) / 1000;
  await recoveries.stop();

  const floor = await measureFloor(stack, rest.slice(count));
  const request = summarise(requestToEmail);
  const confirm = summarise(confirmToRemoved);
  return {
    count,
    requestToEmail: request,
    confirmToRemoved: confirm,
    recoveriesPerSecond: count / elapsedSeconds,
    floor,
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
  const pool = { UserPoolId: stack.userPoolId };
  await Promise.all(
    users.map(async (user) => {
      const key = { pk: `BENCH#${randomUUID()}`, sk: 'CHALLENGE' };
      const t0 = performance.now();
      await cognito.send(
        new AdminInitiateAuthCommand({
          ...pool,
          ClientId: stack.passwordProofClientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
        }),
      );
      await cognito.send(new AdminGetUserCommand({ ...pool, Username: user.username }));
      await cognito.send(new AdminListGroupsForUserCommand({ ...pool, Username: user.username }));
      await documents.send(
        new PutCommand({ TableName: stack.tables.recoveries, Item: { ...key, status: 'PENDING' } }),
      );
      await ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'no-reply@recovery.example.com',
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
      await cognito.send(new AdminDeleteSoftwareTokenCommand({ ...pool, Username: user.username }));
      await cognito.send(new AdminGetUserCommand({ ...pool, Username: user.username }));
      await cognito.send(new AdminUserGlobalSignOutCommand({ ...pool, Username: user.username }));
      confirmToRemoved.push(performance.now() - t1);
    }),
  );
  return { requestToEmail: summarise(requestToEmail), confirmToRemoved: summarise(confirmToRemoved) };
}
