import { describe, expect, inject, it } from 'vitest';
import { freshSourceIp, httpClient } from '../support/http-client';
import { codeFrom, mailbox } from '../support/mailbox';
import { waitForStatus } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { createUser, setUpAuthenticatorAtSignIn, signIn, type TestUser } from '../support/users';

const stack = inject('stack');
const { cognito } = stackClients(stack);
const mail = mailbox(stack.endpoints.ses);

async function textsTo(phone: string): Promise<string[]> {
  const listed = (await (await fetch(stack.smsUrl)).json()) as { messages: { to: string; text: string }[] };
  return listed.messages.filter((message) => message.to === phone).map((message) => message.text);
}

async function recover(user: TestUser) {
  const api = httpClient(stack.apiUrl, freshSourceIp());
  const started = await api.post('/recoveries', { username: user.username, password: user.password });
  const { requestId } = started.json as { requestId: string };
  const code = codeFrom(await mail.waitFor(user.email, /code to remove/));
  expect((await api.post(`/recoveries/${requestId}/confirm`, { code })).status).toBe(200);
  expect(await waitForStatus(api, requestId, 'COMPLETED')).toMatchObject({ status: 'COMPLETED' });
  await mail.waitFor(user.email, /was removed from your account/);
  return { requestId, code };
}

describe('notices on every channel of the account', () => {
  it('text the verified phone when a request starts (with the cancel link) and when it ends, never the code', async () => {
    const phone = `+1555${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
    const user = await createUser(cognito, stack, { phone });
    const { requestId, code } = await recover(user);
    await expect.poll(() => textsTo(phone), { timeout: 10_000 }).toHaveLength(2);
    const [started, ended] = await textsTo(phone);
    expect(started).toMatch(
      new RegExp(
        `^Example App: Someone asked to remove the authenticator app from your account\\. If this was not you, cancel now: ${stack.apiUrl}/recover/${requestId}/cancel#token=[A-Za-z0-9_-]+$`,
      ),
    );
    expect(ended).toBe(
      'Example App: The authenticator app was removed from your account. If this was not you, contact support now. Help: https://support.example.com/',
    );
    for (const text of [started, ended]) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(code.replace(' ', ''));
    }
  });

  it('send no text for an account without a verified phone', async () => {
    const count = async () =>
      ((await (await fetch(stack.smsUrl)).json()) as { messages: unknown[] }).messages.length;
    const before = await count();
    await recover(await createUser(cognito, stack));
    // Only accounts with a verified phone are texted; this one has none, and nothing else runs now.
    expect(await count()).toBe(before);
  });

  it('tell every channel when a new authenticator is bound, and refuse a call without a token', async () => {
    const phone = `+1555${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
    const user = await createUser(cognito, stack, { phone });
    await recover(user);
    const first = await signIn(cognito, stack, user);
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const tokens = await setUpAuthenticatorAtSignIn(cognito, stack, user, first.Session as string);
    const told = await api.post(
      '/authenticator-notices',
      {},
      { authorization: `Bearer ${tokens.AccessToken}` },
    );
    expect(told.status).toBe(202);
    expect(told.json).toEqual({ notified: 2 });
    await mail.waitFor(user.email, /A new authenticator app was added/);
    await expect
      .poll(() => textsTo(phone), { timeout: 10_000 })
      .toContainEqual(
        'Example App: A new authenticator app was added to your account. If this was not you, contact support now. Help: https://support.example.com/',
      );
    expect((await api.post('/authenticator-notices', {})).status).toBe(401);
  });
});
