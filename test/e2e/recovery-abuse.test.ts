import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, inject, it } from 'vitest';
import { freshSourceIp, httpClient } from '../support/http-client';
import { cancelTokenFrom, codeFrom, mailbox } from '../support/mailbox';
import { waitForStatus, waitForTerminalRecord } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { createUser, signIn, type TestUser } from '../support/users';

const stack = inject('stack');
const { cognito, documents } = stackClients(stack);
const mail = mailbox(stack.endpoints.ses);
const CODE_SUBJECT = /code to remove/;

async function start(user: TestUser, emailNumber = 1) {
  const api = httpClient(stack.apiUrl, freshSourceIp());
  const started = await api.post('/recoveries', { username: user.username, password: user.password });
  expect(started.status).toBe(202);
  const { requestId } = started.json as { requestId: string };
  const email = await mail.waitFor(user.email, CODE_SUBJECT, emailNumber);
  return { api, requestId, email, code: codeFrom(email) };
}

/** A code that is certainly wrong: the right one with its last digit changed. */
const wrongCode = (code: string) => `${code.slice(0, -1)}${(Number(code.at(-1)) + 1) % 10}`;

async function stillHasTotp(user: TestUser) {
  expect((await signIn(cognito, stack, user)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  const read = await cognito.send(
    new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: user.username }),
  );
  expect(read.UserMFASettingList).toContain('SOFTWARE_TOKEN_MFA');
}

describe('confirming a recovery code', () => {
  it('counts wrong codes, locks the request after the fifth, and then refuses even the right code', async () => {
    const user = await createUser(cognito, stack);
    const { api, requestId, code } = await start(user);
    for (const left of [4, 3, 2, 1, 0]) {
      const answer = await api.post(`/recoveries/${requestId}/confirm`, { code: wrongCode(code) });
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ error: 'WRONG_CODE', attemptsLeft: left });
    }
    const late = await api.post(`/recoveries/${requestId}/confirm`, { code });
    expect(late.status).toBe(410);
    expect(await waitForStatus(api, requestId)).toMatchObject({ status: 'LOCKED' });
    const records = await waitForTerminalRecord(documents, stack, requestId);
    expect(records.filter((r) => r.terminal).map((r) => r.terminal)).toEqual(['LOCKED']);
    await mail.waitFor(user.email, /locked/);
    await stillHasTotp(user);
  });

  it('accepts a wrong code then the right one', async () => {
    const user = await createUser(cognito, stack);
    const { api, requestId, code } = await start(user);
    expect((await api.post(`/recoveries/${requestId}/confirm`, { code: wrongCode(code) })).status).toBe(400);
    const spaced = `${code.slice(0, 4)}-${code.slice(4)}`;
    expect((await api.post(`/recoveries/${requestId}/confirm`, { code: spaced })).status).toBe(200);
    expect(await waitForStatus(api, requestId)).toMatchObject({ status: 'COMPLETED' });
  });

  it('lets exactly one of 20 parallel confirmations with the right code through', async () => {
    const user = await createUser(cognito, stack);
    const { api, requestId, code } = await start(user);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => api.post(`/recoveries/${requestId}/confirm`, { code })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 410)).toHaveLength(19);
    expect(await waitForStatus(api, requestId)).toMatchObject({ status: 'COMPLETED' });
    const records = await waitForTerminalRecord(documents, stack, requestId);
    expect(records.filter((r) => r.type === 'CodeConfirmed')).toHaveLength(1);
  });

  it('answers a replayed code with 410', async () => {
    const user = await createUser(cognito, stack);
    const { api, requestId, code } = await start(user);
    expect((await api.post(`/recoveries/${requestId}/confirm`, { code })).status).toBe(200);
    const replay = await api.post(`/recoveries/${requestId}/confirm`, { code });
    expect(replay.status).toBe(410);
    expect(replay.json).toEqual({
      error: 'RECOVERY_GONE',
      message: 'This recovery request is no longer active.',
    });
  });

  it('answers an unknown request exactly like an ended one', async () => {
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const unknown = await api.post('/recoveries/AAAAAAAAAAAAAAAAAAAAAA/confirm', { code: '12345678' });
    expect(unknown.status).toBe(410);
    expect(unknown.json).toEqual({
      error: 'RECOVERY_GONE',
      message: 'This recovery request is no longer active.',
    });
  });

  it('expires the request when the code is not confirmed in time', async () => {
    const user = await createUser(cognito, stack);
    const { api, requestId, code } = await start(user);
    expect(await waitForStatus(api, requestId, 'EXPIRED', 40_000)).toMatchObject({ status: 'EXPIRED' });
    expect((await api.post(`/recoveries/${requestId}/confirm`, { code })).status).toBe(410);
    const records = await waitForTerminalRecord(documents, stack, requestId);
    expect(records.filter((r) => r.terminal).map((r) => r.terminal)).toEqual(['EXPIRED']);
    await stillHasTotp(user);
  }, 60_000);
});

describe('the "this was not me" link', () => {
  it('cancels the request and leaves TOTP in place', async () => {
    const user = await createUser(cognito, stack);
    const { api, requestId, email, code } = await start(user);
    const token = cancelTokenFrom(email);
    expect(
      (
        await api.post(`/recoveries/${requestId}/cancel`, {
          token: `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
        })
      ).status,
    ).toBe(410);
    const cancelled = await api.post(`/recoveries/${requestId}/cancel`, { token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toEqual({ status: 'CANCELLED' });
    expect(await waitForStatus(api, requestId)).toMatchObject({ status: 'CANCELLED' });
    expect((await api.post(`/recoveries/${requestId}/confirm`, { code })).status).toBe(410);
    // Repeating the cancel that went through is answered the same: it is recorded, once.
    expect((await api.post(`/recoveries/${requestId}/cancel`, { token })).status).toBe(200);
    const records = await waitForTerminalRecord(documents, stack, requestId);
    expect(records.filter((r) => r.terminal).map((r) => r.terminal)).toEqual(['CANCELLED']);
    await stillHasTotp(user);
  });
});

describe('asking for a recovery', () => {
  it('gives an unknown user and a wrong password the same 401, and sends no email', async () => {
    const user = await createUser(cognito, stack);
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const unknown = await api.post('/recoveries', {
      username: `nobody-${user.username}`,
      password: user.password,
    });
    const wrong = await api.post('/recoveries', { username: user.username, password: `${user.password}x` });
    const unknownEmail = await api.post('/recoveries', {
      email: `nobody-${user.email}`,
      password: user.password,
    });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrong.text).toBe(unknown.text);
    expect(unknownEmail.text).toBe(unknown.text);
    expect(await mail.to(user.email)).toEqual([]);
  });

  it('tells a password-proven user that the account has no authenticator (409), and sends nothing', async () => {
    const without = await createUser(cognito, stack, { totp: false });
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const answer = await api.post('/recoveries', { username: without.username, password: without.password });
    expect(answer.status).toBe(409);
    expect(answer.json).toMatchObject({ error: 'NO_AUTHENTICATOR' });
    expect(await mail.to(without.email)).toEqual([]);
  });

  it('gives an anonymous request for a user without TOTP the same 202 and status as a real one, and sends nothing', async () => {
    const real = await createUser(cognito, stack);
    const without = await createUser(cognito, stack, { totp: false });
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const a = await api.post('/recoveries', { username: real.username, lostPassword: true });
    const b = await api.post('/recoveries', { username: without.username, lostPassword: true });
    expect(b.status).toBe(a.status);
    expect(Object.keys(b.json as object)).toEqual(Object.keys(a.json as object));
    const { requestId } = b.json as { requestId: string };
    expect(requestId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await api.get(`/recoveries/${requestId}`)).json).toMatchObject({ status: 'CODE_SENT' });
    await mail.waitFor(real.email, CODE_SUBJECT);
    expect(await mail.to(without.email)).toEqual([]);
    const records = await waitForTerminalRecord(documents, stack, requestId);
    expect(records.at(-1)).toMatchObject({ terminal: 'IGNORED', reasons: ['NO_TOTP'] });
  });

  it('accepts the email address instead of the username', async () => {
    const user = await createUser(cognito, stack);
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const started = await api.post('/recoveries', {
      email: user.email.toUpperCase(),
      password: user.password,
    });
    expect(started.status).toBe(202);
    await mail.waitFor(user.email, CODE_SUBJECT);
  });

  it('keeps one active recovery per user: a repeat joins it and sends no second email', async () => {
    const user = await createUser(cognito, stack);
    const { api, requestId } = await start(user);
    const again = await api.post('/recoveries', { username: user.username, password: user.password });
    expect(again.status).toBe(202);
    expect(again.json).toEqual({ requestId });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await mail.to(user.email)).filter((e) => CODE_SUBJECT.test(e.subject))).toHaveLength(1);
  });

  it('answers past the per-IP limit with 429 and Retry-After', async () => {
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const answers = [];
    for (let i = 0; i < 21; i += 1) {
      answers.push(await api.post('/recoveries', { username: `nobody-${i}`, password: 'wrong-password' }));
    }
    expect(answers.slice(0, 20).every((a) => a.status === 401)).toBe(true);
    const limited = answers[20];
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited?.json).toMatchObject({ error: 'RATE_LIMITED' });
  });

  it('past the per-user limit tells the password-proven user 429 with Retry-After, and sends no email', async () => {
    const user = await createUser(cognito, stack);
    for (let i = 1; i <= 3; i += 1) {
      const { api, requestId, email } = await start(user, i);
      expect(
        (await api.post(`/recoveries/${requestId}/cancel`, { token: cancelTokenFrom(email) })).status,
      ).toBe(200);
      await waitForTerminalRecord(documents, stack, requestId);
    }
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const fourth = await api.post('/recoveries', { username: user.username, password: user.password });
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await mail.to(user.email)).filter((e) => CODE_SUBJECT.test(e.subject))).toHaveLength(3);
  });
});
