import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../local/faults/fault-proxy';
import { freshSourceIp, httpClient } from '../support/http-client';
import { codeFrom, mailbox } from '../support/mailbox';
import { ownStack } from '../support/own-stack';
import { type AuditRecord, auditOf, waitForStatus, waitForTerminalRecord } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { createUser, signIn, type TestUser } from '../support/users';

// Faults sit between the functions and the emulators (local/faults/); the SDK gives up on a hung call
// after 300 ms, and the workflow's retry intervals run 20 times faster than in AWS.
const own = ownStack({
  faultInjection: true,
  timeScale: 0.05,
  functionEnvironment: { AWS_REQUEST_TIMEOUT_MS: '300', CODE_TTL_SECONDS: '20' },
});

/** One row of the fault matrix: dependency x step x failure kind -> outcome. */
interface MatrixRow {
  readonly dependency: string;
  readonly step: string;
  readonly fault: string;
  readonly outcome: string;
}
const matrix: MatrixRow[] = [];

afterEach(() => own.current.faults?.clear());
afterAll(() => {
  const dir = join(import.meta.dirname, '..', '..', 'test-results');
  mkdirSync(dir, { recursive: true });
  const lines = [
    '| dependency | step | fault | outcome |',
    '|---|---|---|---|',
    ...matrix.map((row) => `| ${row.dependency} | ${row.step} | ${row.fault} | ${row.outcome} |`),
  ];
  writeFileSync(join(dir, 'fault-matrix.md'), `${lines.join('\n')}\n`);
});

const CODE_EMAIL = /code to remove/;
// SES v2's SendEmail body carries the subject; DynamoDB's carries the item keys.
const CODE_EMAIL_BODY = 'Your code to remove';
// IssueCode's transaction writes the challenge's cancel salt; confirm's checks the challenge.
const ISSUE_CODE_WRITE = 'cancelSalt';
const CONFIRM_WRITE = '"ConditionCheck"';
// The one write that stores a new request: its item and its first audit record.
const REQUEST_STORED = '"type":{"S":"RecoveryRequested"}';

type Target = Pick<FaultRule, 'operation' | 'bodyIncludes'>;

function inject(rule: FaultRule): () => number {
  const plan = own.current.faults;
  if (!plan) throw new Error('the stack was started without fault injection');
  return plan.add(rule);
}

async function start(user: TestUser) {
  const stack = own.current.info;
  const api = httpClient(stack.apiUrl, freshSourceIp());
  const answer = await api.post('/recoveries', { username: user.username, password: user.password });
  return { api, answer, requestId: (answer.json as { requestId?: string }).requestId ?? '' };
}

/** A whole low-risk recovery, as a user would do it; resolves the final status and the audit chain. */
async function recover(user: TestUser) {
  const stack = own.current.info;
  const { api, answer, requestId } = await start(user);
  expect(answer.status).toBe(202);
  const code = codeFrom(await mailbox(stack.endpoints.ses).waitFor(user.email, CODE_EMAIL));
  const confirmed = await api.post(`/recoveries/${requestId}/confirm`, { code });
  const final = await waitForStatus(api, requestId);
  const records = await waitForTerminalRecord(stackClients(stack).documents, stack, requestId);
  return { api, requestId, confirmed, final, records, code };
}

const terminalRecords = (records: AuditRecord[]) => records.filter((r) => r.terminal);

/** No execution keeps running: the terminal record is written a step before the execution ends, so poll. */
async function expectNoRunningExecution() {
  const { sfn } = stackClients(own.current.info);
  await expect
    .poll(
      async () =>
        (
          await sfn.send(
            new ListExecutionsCommand({
              stateMachineArn: own.current.info.stateMachineArn,
              statusFilter: 'RUNNING',
            }),
          )
        ).executions ?? [],
      { timeout: 5000 },
    )
    .toEqual([]);
}

async function freshUser() {
  return createUser(stackClients(own.current.info).cognito, own.current.info);
}

async function totpOf(user: TestUser) {
  return (await signIn(stackClients(own.current.info).cognito, own.current.info, user)).ChallengeName;
}

describe('transient faults: retried, and the recovery completes', () => {
  const rows: {
    dependency: FaultRule['service'];
    step: string;
    target: Target;
    kind: FaultRule['kind'];
    times: number;
  }[] = [
    {
      dependency: 'dynamodb',
      step: 'request accepted',
      target: { operation: 'TransactWriteItems', bodyIncludes: REQUEST_STORED },
      kind: 'throttle',
      times: 2,
    },
    {
      dependency: 'dynamodb',
      step: 'IssueCode',
      target: { operation: 'TransactWriteItems', bodyIncludes: ISSUE_CODE_WRITE },
      kind: 'throttle',
      times: 5,
    },
    {
      dependency: 'dynamodb',
      step: 'confirm',
      target: { operation: 'TransactWriteItems', bodyIncludes: CONFIRM_WRITE },
      kind: 'server-error',
      times: 2,
    },
    {
      dependency: 'ses',
      step: 'IssueCode (code email)',
      target: { operation: 'SendEmail', bodyIncludes: CODE_EMAIL_BODY },
      kind: 'throttle',
      times: 2,
    },
    {
      dependency: 'ses',
      step: 'IssueCode (code email)',
      target: { operation: 'SendEmail', bodyIncludes: CODE_EMAIL_BODY },
      kind: 'timeout',
      times: 1,
    },
    {
      dependency: 'cognito',
      step: 'password proof',
      target: { operation: 'AdminInitiateAuth' },
      kind: 'throttle',
      times: 2,
    },
    {
      dependency: 'cognito',
      step: 'LookUpUser',
      target: { operation: 'AdminListGroupsForUser' },
      kind: 'server-error',
      times: 5,
    },
    {
      dependency: 'cognito',
      step: 'RemoveTotp',
      target: { operation: 'AdminDeleteSoftwareToken' },
      kind: 'server-error',
      times: 5,
    },
    {
      dependency: 'cognito',
      step: 'SignOutUser',
      target: { operation: 'AdminUserGlobalSignOut' },
      kind: 'timeout',
      times: 2,
    },
    {
      dependency: 'stepfunctions',
      step: 'request accepted',
      target: { operation: 'StartExecution' },
      kind: 'throttle',
      times: 2,
    },
    {
      dependency: 'stepfunctions',
      step: 'confirm (callback)',
      target: { operation: 'SendTaskSuccess' },
      kind: 'throttle',
      times: 2,
    },
  ];
  it.each(rows)('$dependency at $step: $kind x$times', async ({ dependency, step, target, kind, times }) => {
    const failed = inject({ service: dependency, ...target, kind, times });
    const user = await freshUser();
    const { final, records, confirmed } = await recover(user);
    expect(failed()).toBe(times);
    expect(confirmed.status).toBe(200);
    expect(final).toMatchObject({ status: 'COMPLETED' });
    expect(terminalRecords(records)).toEqual([expect.objectContaining({ terminal: 'COMPLETED' })]);
    expect(await totpOf(user)).toBe('MFA_SETUP');
    matrix.push({ dependency, step, fault: `${kind} x${times}`, outcome: 'retried; COMPLETED' });
  });
});

describe('permanent faults: one terminal record, the user told, the factor kept', () => {
  it.each([
    [
      'dynamodb',
      'IssueCode',
      { operation: 'TransactWriteItems', bodyIncludes: ISSUE_CODE_WRITE },
      'server-error',
    ],
    [
      'ses',
      'IssueCode (code email)',
      { operation: 'SendEmail', bodyIncludes: CODE_EMAIL_BODY },
      'server-error',
    ],
    ['cognito', 'LookUpUser', { operation: 'AdminListGroupsForUser' }, 'throttle'],
  ] as const)(
    '%s at %s, always -> FAILED before any code is sent',
    async (dependency, step, target, kind) => {
      const user = await freshUser();
      inject({ service: dependency, ...target, kind });
      const { answer, requestId } = await start(user);
      expect(answer.status).toBe(202);
      const stack = own.current.info;
      const records = await waitForTerminalRecord(stackClients(stack).documents, stack, requestId, 45_000);
      expect(terminalRecords(records)).toEqual([expect.objectContaining({ terminal: 'FAILED' })]);
      expect(records.find((r) => r.terminal)?.details).toMatchObject({ error: expect.any(String) });
      // The user is told where the address is known: LookUpUser stores it only once it succeeded.
      if (dependency !== 'cognito')
        await mailbox(stack.endpoints.ses).waitFor(user.email, /could not be completed/);
      const subjects = (await mailbox(stack.endpoints.ses).to(user.email)).map((email) => email.subject);
      expect(subjects).toEqual(
        dependency === 'cognito' ? [] : [expect.stringMatching(/could not be completed/)],
      );
      expect(await totpOf(user)).toBe('SOFTWARE_TOKEN_MFA');
      await expectNoRunningExecution();
      matrix.push({
        dependency,
        step,
        fault: `${kind}, permanent`,
        outcome: `FAILED (one record); TOTP kept; ${dependency === 'cognito' ? 'no address known yet' : 'user emailed'}`,
      });
    },
  );

  it('cognito at RemoveTotp: server-error, always -> FAILED after confirmation, TOTP kept, user told', async () => {
    const user = await freshUser();
    inject({ service: 'cognito', operation: 'AdminDeleteSoftwareToken', kind: 'server-error' });
    const { final, records } = await recover(user);
    expect(final).toMatchObject({ status: 'FAILED' });
    expect(terminalRecords(records)).toEqual([expect.objectContaining({ terminal: 'FAILED' })]);
    expect(records.map((r) => r.type)).not.toContain('TotpRemoved');
    expect(await totpOf(user)).toBe('SOFTWARE_TOKEN_MFA');
    // The email goes out just after the terminal record: wait for it rather than race it.
    await mailbox(own.current.info.endpoints.ses).waitFor(user.email, /could not/i);
    await expectNoRunningExecution();
    matrix.push({
      dependency: 'cognito',
      step: 'RemoveTotp',
      fault: 'server-error, permanent',
      outcome: 'FAILED (one record); TOTP kept; user emailed',
    });
  });

  it.each([
    ['dynamodb', { operation: 'TransactWriteItems', bodyIncludes: REQUEST_STORED }],
    ['cognito', { operation: 'AdminInitiateAuth' }],
    ['stepfunctions', { operation: 'StartExecution' }],
  ] as const)(
    '%s while accepting the request -> 503, and nothing keeps running',
    async (dependency, target) => {
      const user = await freshUser();
      inject({ service: dependency, ...target, kind: 'server-error' });
      const { answer } = await start(user);
      expect(answer.status).toBe(503);
      expect(answer.json).toEqual({
        error: 'TEMPORARILY_UNAVAILABLE',
        message: 'Please try again in a moment.',
      });
      await expectNoRunningExecution();
      expect(await totpOf(user)).toBe('SOFTWARE_TOKEN_MFA');
      own.current.faults?.clear();
      // Nothing was left holding the user: a new request once the dependency is back goes through.
      const { final } = await recover(user);
      expect(final).toMatchObject({ status: 'COMPLETED' });
      matrix.push({
        dependency,
        step: 'request accepted',
        fault: 'server-error, permanent',
        outcome: '503; nothing started; next request completes',
      });
    },
  );

  it('stepfunctions at confirm (wake-up): timeout, always -> 200, and the recorded confirmation completes when the code wait ends', async () => {
    const user = await freshUser();
    const stack = own.current.info;
    const { api, requestId } = await start(user);
    const code = codeFrom(await mailbox(stack.endpoints.ses).waitFor(user.email, CODE_EMAIL));
    inject({ service: 'stepfunctions', operation: 'SendTaskSuccess', kind: 'timeout' });
    const confirmed = await api.post(`/recoveries/${requestId}/confirm`, { code });
    expect(confirmed.status).toBe(200);
    expect((await api.get(`/recoveries/${requestId}`)).json).toMatchObject({ status: 'CONFIRMED' });
    expect((await api.post(`/recoveries/${requestId}/confirm`, { code })).status).toBe(410);
    own.current.faults?.clear();
    // CODE_TTL_SECONDS is 20: the IssueCode wait ends then, and Advance reads the confirmation.
    expect(await waitForStatus(api, requestId, undefined, 40_000)).toMatchObject({ status: 'COMPLETED' });
    const records = await auditOf(stackClients(stack).documents, stack, requestId);
    expect(terminalRecords(records)).toEqual([expect.objectContaining({ terminal: 'COMPLETED' })]);
    matrix.push({
      dependency: 'stepfunctions',
      step: 'confirm (wake-up)',
      fault: 'timeout, permanent',
      outcome: '200 (recorded); completes when the code wait ends; replay 410',
    });
  });
});
