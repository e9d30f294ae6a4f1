import { describe, expect, it } from 'vitest';
import { formatTime } from '../../functions/domain/emails';
import { freshSourceIp, httpClient } from '../support/http-client';
import { cancelTokenFrom, codeFrom, mailbox } from '../support/mailbox';
import { ownStack } from '../support/own-stack';
import { waitForStatus, waitForTerminalRecord } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { createUser, signIn, signInWithTotp, type TestUser } from '../support/users';

// A stack of its own with a 4-second cool-down after approval (the default is none).
const own = ownStack({ functionEnvironment: { COOL_DOWN_SECONDS: '4', PRIVILEGED_APPROVALS: '1' } });

async function approvedAdmin() {
  const { cognito } = stackClients(own.current.info);
  const admin = await createUser(cognito, own.current.info, { groups: ['admins'] });
  const api = httpClient(own.current.info.apiUrl, freshSourceIp());
  const started = await api.post('/recoveries', { username: admin.username, password: admin.password });
  const { requestId } = started.json as { requestId: string };
  const email = await mailbox(own.current.info.endpoints.ses).waitFor(admin.email, /code to remove/);
  expect((await api.post(`/recoveries/${requestId}/confirm`, { code: codeFrom(email) })).status).toBe(200);
  await waitForStatus(api, requestId, 'AWAITING_APPROVAL');
  const sam = own.current.info.users.find((u) => u.username === 'sam') as TestUser;
  const token = (await signInWithTotp(cognito, own.current.info, { ...sam })).AccessToken as string;
  const approved = await api.post(
    `/support/approvals/${requestId}/approve`,
    { reason: 'known customer' },
    { authorization: `Bearer ${token}` },
  );
  expect(approved.json).toMatchObject({ status: 'APPROVED' });
  return { api, requestId, admin, email, cognito };
}

describe('the cool-down after approval', () => {
  it('tells the user the exact reset time, then removes the factor when it ends', async () => {
    const { api, requestId, admin, cognito } = await approvedAdmin();
    const cooling = (await waitForStatus(api, requestId, 'COOLING_DOWN')) as { resetAt?: string };
    expect(Date.parse(cooling.resetAt ?? '')).toBeGreaterThan(Date.now());
    const notice = await mailbox(own.current.info.endpoints.ses).waitFor(admin.email, /will be removed soon/);
    // The exact reset time, as the user reads it (this account has no zoneinfo: UTC, named).
    expect(notice.body.text).toContain(formatTime(new Date(cooling.resetAt ?? '')));
    expect(notice.body.text).toContain('UTC');
    expect((await signIn(cognito, own.current.info, admin)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    expect(await waitForStatus(api, requestId, 'COMPLETED', 20_000)).toMatchObject({ status: 'COMPLETED' });
    expect((await signIn(cognito, own.current.info, admin)).ChallengeName).toBe('MFA_SETUP');
  });

  it('can be cancelled with the email link until the reset time', async () => {
    const { api, requestId, admin, email, cognito } = await approvedAdmin();
    await waitForStatus(api, requestId, 'COOLING_DOWN');
    expect(
      (await api.post(`/recoveries/${requestId}/cancel`, { token: cancelTokenFrom(email) })).status,
    ).toBe(200);
    expect(await waitForStatus(api, requestId)).toMatchObject({ status: 'CANCELLED' });
    const records = await waitForTerminalRecord(
      stackClients(own.current.info).documents,
      own.current.info,
      requestId,
    );
    expect(records.map((r) => r.type)).toEqual(
      expect.arrayContaining(['CoolDownStarted', 'RecoveryCancelled']),
    );
    expect(records.at(-1)).toMatchObject({ terminal: 'CANCELLED' });
    await new Promise((resolve) => setTimeout(resolve, 4500));
    expect((await signIn(cognito, own.current.info, admin)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  });
});
