import { describe, expect, inject, it } from 'vitest';
import { freshSourceIp, httpClient } from '../support/http-client';
import { cancelTokenFrom, codeFrom, mailbox } from '../support/mailbox';
import { auditOf, waitForStatus, waitForTerminalRecord } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { decide, pendingApproval, staffToken } from '../support/staff';
import { createUser, signIn, type TestUser } from '../support/users';

const stack = inject('stack');
const { cognito, documents } = stackClients(stack);
const mail = mailbox(stack.endpoints.ses);
const CODE_SUBJECT = /code to remove/;

/** Confirms the `emailNumber`-th code the user received and returns the request's client. */
async function confirm(
  api: ReturnType<typeof httpClient>,
  user: TestUser,
  requestId: string,
  emailNumber = 1,
) {
  const code = codeFrom(await mail.waitFor(user.email, CODE_SUBJECT, emailNumber));
  expect((await api.post(`/recoveries/${requestId}/confirm`, { code })).status).toBe(200);
}

describe('"I also lost my password"', () => {
  it('accepts a request without a password, always needs a support approval, then removes TOTP', async () => {
    const user = await createUser(cognito, stack);
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const started = await api.post('/recoveries', { email: user.email, lostPassword: true });
    expect(started.status).toBe(202);
    const { requestId } = started.json as { requestId: string };
    await confirm(api, user, requestId);
    await waitForStatus(api, requestId, 'AWAITING_APPROVAL');

    const sam = await staffToken(stack, 'sam');
    expect(await pendingApproval(api, sam, requestId)).toMatchObject({
      username: user.username,
      requiredApprovals: 1,
      risk: { level: 'HIGH', reasons: ['LOST_PASSWORD'] },
    });
    expect((await signIn(cognito, stack, user)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    expect((await decide(api, requestId, 'approve', sam)).status).toBe(200);
    expect(await waitForStatus(api, requestId)).toMatchObject({ status: 'COMPLETED' });
    expect((await signIn(cognito, stack, user)).ChallengeName).toBe('MFA_SETUP');
    const records = await waitForTerminalRecord(documents, stack, requestId);
    expect(records.find((r) => r.type === 'RecoveryRequested')).toMatchObject({
      details: { lostPassword: true },
    });
    expect(records.find((r) => r.type === 'RiskAssessed')).toMatchObject({
      outcome: 'HIGH',
      reasons: ['LOST_PASSWORD'],
    });
  });

  it.each([
    ['username', { username: 'nobody-by-this-name' }],
    ['email', { email: 'nobody@nowhere.example.com' }],
  ])('answers an unknown %s exactly like a known one, and sends nothing', async (_, identifier) => {
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const started = await api.post('/recoveries', { ...identifier, lostPassword: true });
    expect(started.status).toBe(202);
    expect(Object.keys(started.json as object)).toEqual(['requestId']);
    const { requestId } = started.json as { requestId: string };
    expect((await api.get(`/recoveries/${requestId}`)).json).toMatchObject({ status: 'CODE_SENT' });
    const records = await waitForTerminalRecord(documents, stack, requestId);
    expect(records.at(-1)).toMatchObject({ terminal: 'IGNORED', reasons: ['UNKNOWN_USER'] });
    expect(await mail.to(Object.values(identifier)[0] as string)).toEqual([]);
  });

  it.each([
    ['a password and lostPassword together', { username: 'alice', password: 'x', lostPassword: true }],
    ['lostPassword false', { username: 'alice', lostPassword: false }],
    ['lostPassword as a string', { username: 'alice', lostPassword: 'true' }],
    ['neither a password nor lostPassword', { username: 'alice' }],
  ])('refuses %s with 400', async (_, body) => {
    const answer = await httpClient(stack.apiUrl, freshSourceIp()).post('/recoveries', body);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: 'INVALID_REQUEST' });
  });
});

describe('risk rules on the request history', () => {
  it('makes a request HIGH after three wrong passwords for the user', async () => {
    const user = await createUser(cognito, stack);
    const api = httpClient(stack.apiUrl, freshSourceIp());
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const wrong = await api.post('/recoveries', { username: user.username, password: 'Wrong-password-1' });
      expect(wrong.status).toBe(401);
    }
    const started = await api.post('/recoveries', { username: user.username, password: user.password });
    const { requestId } = started.json as { requestId: string };
    await confirm(api, user, requestId);
    await waitForStatus(api, requestId, 'AWAITING_APPROVAL');
    const item = await pendingApproval(api, await staffToken(stack, 'sam'), requestId);
    expect(item).toMatchObject({ risk: { level: 'HIGH', reasons: ['FAILED_PASSWORDS:3'] } });
    await decide(api, requestId, 'deny', await staffToken(stack, 'sam'));
  });

  it('makes the third request within the rate-limit window HIGH', async () => {
    const user = await createUser(cognito, stack);
    const api = httpClient(stack.apiUrl, freshSourceIp());
    for (let round = 1; round <= 2; round += 1) {
      const { requestId } = (
        await api.post('/recoveries', { username: user.username, password: user.password })
      ).json as { requestId: string };
      const token = cancelTokenFrom(await mail.waitFor(user.email, CODE_SUBJECT, round));
      expect((await api.post(`/recoveries/${requestId}/cancel`, { token })).status).toBe(200);
      await waitForTerminalRecord(documents, stack, requestId);
    }
    const { requestId } = (
      await api.post('/recoveries', { username: user.username, password: user.password })
    ).json as { requestId: string };
    await confirm(api, user, requestId, 3);
    await waitForStatus(api, requestId, 'AWAITING_APPROVAL');
    const assessed = (await auditOf(documents, stack, requestId)).find((r) => r.type === 'RiskAssessed');
    expect(assessed).toMatchObject({ outcome: 'HIGH', reasons: ['REPEATED_REQUESTS:3'] });
    await decide(api, requestId, 'deny', await staffToken(stack, 'sara'));
  });
});
