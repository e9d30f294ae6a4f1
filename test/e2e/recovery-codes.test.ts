import { readFileSync } from 'node:fs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { freshSourceIp, httpClient } from '../support/http-client';
import { mailbox } from '../support/mailbox';
import { waitForStatus, waitForTerminalRecord } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import {
  createUser,
  setUpAuthenticatorAtSignIn,
  signIn,
  signInWithTotp,
  type TestUser,
} from '../support/users';

const stack = inject('stack');
const { cognito, documents } = stackClients(stack);
const CODE_FORMAT = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

/** A fresh sign-in (with TOTP) of the user, on the app's client: the token the recovery-codes API takes. */
async function tokenOf(user: TestUser) {
  return (await signInWithTotp(cognito, stack, user)).AccessToken as string;
}

async function issueCodes(user: TestUser): Promise<string[]> {
  const api = httpClient(stack.apiUrl, freshSourceIp());
  const issued = await api.post('/recovery-codes', {}, { authorization: `Bearer ${await tokenOf(user)}` });
  expect(issued.status).toBe(201);
  return (issued.json as { codes: string[] }).codes;
}

/** The user enrols a new authenticator at their next sign-in, as after a recovery. */
async function reEnrol(user: TestUser) {
  const first = await signIn(cognito, stack, user);
  expect(first.ChallengeName).toBe('MFA_SETUP');
  await setUpAuthenticatorAtSignIn(cognito, stack, user, first.Session as string);
}

describe('saved recovery codes', () => {
  it('are issued once, ten of 80 bits, to a signed-in user, and counted by the status', async () => {
    const user = await createUser(cognito, stack);
    const api = httpClient(stack.apiUrl, freshSourceIp());
    expect((await api.post('/recovery-codes', {})).status).toBe(401);
    expect((await api.get('/recovery-codes/status')).status).toBe(401);
    const token = await tokenOf(user);
    const issued = await api.post('/recovery-codes', {}, { authorization: `Bearer ${token}` });
    expect(issued.status).toBe(201);
    expect(issued.headers['cache-control']).toBe('no-store');
    const { codes } = issued.json as { codes: string[] };
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(CODE_FORMAT);
    const status = await api.get('/recovery-codes/status', { authorization: `Bearer ${token}` });
    expect(status.json).toEqual({ remaining: 10, issuedAt: expect.any(String) });
    // Stored only as HMACs: no code, with or without its hyphens, in either table.
    for (const table of [stack.tables.recoveries, stack.tables.audit]) {
      const stored = JSON.stringify((await documents.send(new ScanCommand({ TableName: table }))).Items);
      for (const code of codes) {
        expect(stored).not.toContain(code);
        expect(stored).not.toContain(code.replaceAll('-', ''));
      }
    }
  });

  it('with the password, recover without an emailed code or a wait; each code works once', async () => {
    const user = await createUser(cognito, stack);
    const codes = await issueCodes(user);
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const started = await api.post('/recoveries', {
      username: user.username,
      password: user.password,
      recoveryCode: (codes[3] as string).toLowerCase().replaceAll('-', ' '),
    });
    expect(started.status).toBe(202);
    const { requestId, recoveryCodesLeft } = started.json as { requestId: string; recoveryCodesLeft: number };
    expect(recoveryCodesLeft).toBe(9);
    expect(await waitForStatus(api, requestId, 'COMPLETED')).toMatchObject({ status: 'COMPLETED' });
    const chain = await waitForTerminalRecord(documents, stack, requestId);
    expect(chain.map((event) => event.type)).toContain('RecoveryCodeUsed');
    expect(chain.find((event) => event.type === 'RecoveryCodeUsed')).toMatchObject({
      details: { remaining: 9 },
    });
    expect(JSON.stringify(chain)).not.toContain((codes[3] as string).slice(0, 9));
    expect((await mailbox(stack.endpoints.ses).to(user.email)).map((m) => m.subject)).not.toContainEqual(
      expect.stringMatching(/code to remove/),
    );

    // Counted as business metrics (EMF), like every audited step.
    const emf = readFileSync(stack.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{"_aws"'));
    for (const metric of ['RecoveryCodeSetsIssued', 'RecoveryCodesUsed']) {
      expect(
        emf.some((line) => line.includes(`"${metric}"`)),
        metric,
      ).toBe(true);
    }

    await reEnrol(user);
    const again = await api.post('/recoveries', {
      username: user.username,
      password: user.password,
      recoveryCode: codes[3],
    });
    const wrongPassword = await api.post('/recoveries', {
      username: user.username,
      password: `${user.password}x`,
      recoveryCode: codes[4],
    });
    expect(again.status).toBe(401);
    expect(again.json).toEqual(wrongPassword.json);
  });

  it('a used, another user’s, a malformed or a wrong code answers exactly like a wrong password', async () => {
    const user = await createUser(cognito, stack);
    const other = await createUser(cognito, stack);
    const codes = await issueCodes(user);
    const othersCodes = await issueCodes(other);
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const asUser = (recoveryCode: string, password = user.password) =>
      api.post('/recoveries', { username: user.username, password, recoveryCode });
    const wrongPassword = await asUser(codes[0] as string, `${user.password}!`);
    expect(wrongPassword.status).toBe(401);
    for (const bad of [othersCodes[0] as string, 'ABCD-EFGH-JKMN-PQRS', 'not a code']) {
      const answer = await asUser(bad);
      expect(answer.status, bad).toBe(401);
      expect(answer.json, bad).toEqual(wrongPassword.json);
    }
    // None of them used a code.
    const status = await api.get('/recovery-codes/status', {
      authorization: `Bearer ${await tokenOf(user)}`,
    });
    expect(status.json).toMatchObject({ remaining: 10 });
  });

  it('allow 5 tries per user in 24 hours, right or wrong, even under 20 parallel tries', async () => {
    const user = await createUser(cognito, stack);
    const codes = await issueCodes(user);
    const tries = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        httpClient(stack.apiUrl, freshSourceIp()).post('/recoveries', {
          username: user.username,
          password: user.password,
          recoveryCode: `WRNG-CODE-0000-${String(i).padStart(4, '0')}`,
        }),
      ),
    );
    const statuses = tries.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);
    const right = await httpClient(stack.apiUrl, freshSourceIp()).post('/recoveries', {
      username: user.username,
      password: user.password,
      recoveryCode: codes[0],
    });
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('still send a privileged user to support, and a new set makes the old one useless', async () => {
    const admin = await createUser(cognito, stack, { groups: ['admins'] });
    const old = await issueCodes(admin);
    const fresh = await issueCodes(admin);
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const refused = await api.post('/recoveries', {
      username: admin.username,
      password: admin.password,
      recoveryCode: old[0],
    });
    expect(refused.status).toBe(401);
    const started = await api.post('/recoveries', {
      username: admin.username,
      password: admin.password,
      recoveryCode: fresh[0],
    });
    expect(started.status).toBe(202);
    const { requestId } = started.json as { requestId: string };
    expect(await waitForStatus(api, requestId, 'AWAITING_APPROVAL')).toMatchObject({
      status: 'AWAITING_APPROVAL',
    });
  });
});
