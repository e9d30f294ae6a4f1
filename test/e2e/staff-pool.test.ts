import { describe, expect, it } from 'vitest';
import { cliFor } from '../support/cli';
import { freshSourceIp, httpClient } from '../support/http-client';
import { codeFrom, mailbox } from '../support/mailbox';
import { ownStack } from '../support/own-stack';
import { waitForStatus } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { decide, staffToken } from '../support/staff';
import { createUser, signInWithTotp } from '../support/users';

// Staff in a pool of their own (the staffUserPool prop): the user pool holds only customers.
const own = ownStack({ poolMfa: 'ON', separateStaffPool: true });

describe('with staff in a pool of their own', () => {
  it('seeds customers and staff apart, and the preflight checks the groups and client in the staff pool', async () => {
    const info = own.current.info;
    expect(info.staffUserPoolId).not.toBe(info.userPoolId);
    expect(info.staffClientId).not.toBe(info.userPoolClientId);
    const run = await cliFor(info)(['preflight']);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(
      new RegExp(`^support group +PASS +mfa-recovery-support in ${info.staffUserPoolId}`, 'm'),
    );
  });

  it('lets staff of the staff pool approve a privileged customer’s request, and refuses a customer-pool token even in a group of that name', async () => {
    const info = own.current.info;
    const { cognito } = stackClients(info);
    const admin = await createUser(cognito, info, { groups: ['admins'] });
    const api = httpClient(info.apiUrl, freshSourceIp());
    const started = await api.post('/recoveries', { username: admin.username, password: admin.password });
    const { requestId } = started.json as { requestId: string };
    const code = codeFrom(await mailbox(info.endpoints.ses).waitFor(admin.email, /code to remove/));
    expect((await api.post(`/recoveries/${requestId}/confirm`, { code })).status).toBe(200);
    await waitForStatus(api, requestId, 'AWAITING_APPROVAL');

    // A customer who made themselves a "support" group member in the user pool is not staff.
    const impostor = await createUser(cognito, info, { groups: ['mfa-recovery-support'] });
    const customerToken = (await signInWithTotp(cognito, info, impostor)).AccessToken as string;
    expect((await decide(api, requestId, 'approve', customerToken)).status).toBe(401);

    expect((await decide(api, requestId, 'approve', await staffToken(info, 'sam'))).json).toMatchObject({
      approvals: 1,
    });
    expect((await decide(api, requestId, 'approve', await staffToken(info, 'sara'))).json).toMatchObject({
      status: 'APPROVED',
    });
    expect(await waitForStatus(api, requestId, 'COMPLETED')).toMatchObject({ status: 'COMPLETED' });
  });

  it('the support CLI signs the seeded support person in to the staff pool', async () => {
    const run = await cliFor(own.current.info)(['support', 'list']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
  });
});
