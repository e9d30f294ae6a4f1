import { describe, expect, inject, it } from 'vitest';
import { freshSourceIp, httpClient } from '../support/http-client';
import { codeFrom, mailbox } from '../support/mailbox';
import { auditOf, waitForStatus, waitForTerminalRecord } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { decide, staffToken } from '../support/staff';
import { createUser, setUpAuthenticatorAtSignIn, signIn, type TestUser } from '../support/users';

const stack = inject('stack');
const { cognito, documents } = stackClients(stack);
const mail = mailbox(stack.endpoints.ses);
const CODE_SUBJECT = /code to remove/;

const tokenOf = (person: TestUser | string) => staffToken(stack, person);

/** Requests a recovery and confirms the code; resolves once the request waits for support (or ends). */
async function confirmedRequest(user: TestUser, emailNumber = 1) {
  const api = httpClient(stack.apiUrl, freshSourceIp());
  const started = await api.post('/recoveries', { username: user.username, password: user.password });
  const { requestId } = started.json as { requestId: string };
  const code = codeFrom(await mail.waitFor(user.email, CODE_SUBJECT, emailNumber));
  expect((await api.post(`/recoveries/${requestId}/confirm`, { code })).status).toBe(200);
  return { api, requestId };
}

describe('support approval of high-risk requests', () => {
  it('lets a member of admins recover only after two different support staff approve', async () => {
    const admin = await createUser(cognito, stack, { groups: ['admins'] });
    const { api, requestId } = await confirmedRequest(admin);
    expect(await waitForStatus(api, requestId, 'AWAITING_APPROVAL')).toMatchObject({
      status: 'AWAITING_APPROVAL',
    });
    await mail.waitFor('support@example.com', new RegExp(`recovery for ${admin.username}`));

    const sam = await tokenOf('sam');
    const listed = await api.get('/support/approvals?status=PENDING&limit=100', {
      authorization: `Bearer ${sam}`,
    });
    expect(listed.status).toBe(200);
    const item = (listed.json as { items: Record<string, unknown>[] }).items.find(
      (i) => i.requestId === requestId,
    );
    expect(item).toMatchObject({
      username: admin.username,
      requiredApprovals: 2,
      risk: { level: 'HIGH', reasons: ['PRIVILEGED_GROUP:admins'] },
    });
    expect(JSON.stringify(listed.json)).not.toMatch(/taskToken|waitToken|codeHash|cancelSalt/);

    expect((await decide(api, requestId, 'approve', sam)).json).toMatchObject({
      status: 'PENDING',
      approvals: 1,
      requiredApprovals: 2,
    });
    expect((await decide(api, requestId, 'approve', sam)).json).toMatchObject({
      status: 'PENDING',
      approvals: 1,
    });
    expect((await signIn(cognito, stack, admin)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    expect((await decide(api, requestId, 'approve', await tokenOf('sara'))).json).toMatchObject({
      status: 'APPROVED',
      approvals: 2,
    });
    expect(await waitForStatus(api, requestId)).toMatchObject({ status: 'COMPLETED' });
    expect((await signIn(cognito, stack, admin)).ChallengeName).toBe('MFA_SETUP');
    const records = await waitForTerminalRecord(documents, stack, requestId);
    expect(records.filter((r) => r.type === 'Approved').map((r) => r.actor)).toEqual([
      'support:sam',
      'support:sara',
    ]);
  });

  it('does not make a regular user with no risk signal wait for support', async () => {
    const user = await createUser(cognito, stack);
    const { api, requestId } = await confirmedRequest(user);
    expect(await waitForStatus(api, requestId)).toMatchObject({ status: 'COMPLETED' });
    expect((await auditOf(documents, stack, requestId)).map((r) => r.type)).not.toContain(
      'ApprovalRequested',
    );
  });

  it('refuses self-approval (403), a missing token (401) and an auditor token (403)', async () => {
    const supportAdmin = await createUser(cognito, stack, { groups: ['admins', 'mfa-recovery-support'] });
    const { api, requestId } = await confirmedRequest(supportAdmin);
    await waitForStatus(api, requestId, 'AWAITING_APPROVAL');
    const own = await decide(api, requestId, 'approve', await tokenOf(supportAdmin));
    expect(own.status).toBe(403);
    expect(own.json).toMatchObject({ error: 'FORBIDDEN' });
    expect((await decide(api, requestId, 'approve')).status).toBe(401);
    expect((await decide(api, requestId, 'approve', 'not-a-jwt')).status).toBe(401);
    expect((await decide(api, requestId, 'approve', await tokenOf('audrey'))).status).toBe(403);
    expect(
      (await api.get('/support/approvals', { authorization: `Bearer ${await tokenOf('audrey')}` })).status,
    ).toBe(403);
    await decide(api, requestId, 'deny', await tokenOf('sam'));
  });

  it('lets exactly one of a concurrent approve and deny win; the other gets 409', async () => {
    // A recovery completed recently makes the next one HIGH, needing one approval.
    const user = await createUser(cognito, stack);
    const first = await confirmedRequest(user);
    await waitForStatus(first.api, first.requestId, 'COMPLETED');
    const setup = await signIn(cognito, stack, user);
    await setUpAuthenticatorAtSignIn(cognito, stack, user, setup.Session as string);
    const { api, requestId } = await confirmedRequest(user, 2);
    await waitForStatus(api, requestId, 'AWAITING_APPROVAL');
    const [sam, sara] = await Promise.all([tokenOf('sam'), tokenOf('sara')]);
    const answers = await Promise.all([
      decide(api, requestId, 'approve', sam),
      decide(api, requestId, 'deny', sara),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)?.json).toMatchObject({ error: 'ALREADY_DECIDED' });
    const end = await waitForStatus(api, requestId);
    expect(['COMPLETED', 'DENIED']).toContain(end.status);
  });

  it('denies: the TOTP factor stays, the user is told, and the terminal record is DENIED', async () => {
    const admin = await createUser(cognito, stack, { groups: ['admins'] });
    const { api, requestId } = await confirmedRequest(admin);
    await waitForStatus(api, requestId, 'AWAITING_APPROVAL');
    expect((await decide(api, requestId, 'deny', await tokenOf('sam'))).json).toEqual({ status: 'DENIED' });
    expect(await waitForStatus(api, requestId)).toMatchObject({ status: 'DENIED' });
    const records = await waitForTerminalRecord(documents, stack, requestId);
    expect(records.at(-1)).toMatchObject({ terminal: 'DENIED' });
    expect(records.at(-1)).toMatchObject({
      type: 'RecoveryDenied',
      actor: 'support:sam',
      reasons: ['DENIED_BY_SUPPORT'],
      details: { staffReason: 'verified by phone call' },
    });
    await mail.waitFor(admin.email, /declined/);
    expect((await signIn(cognito, stack, admin)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  });

  it('answers malformed list queries and decisions with 400, never 5xx', async () => {
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const auth = { authorization: `Bearer ${await tokenOf('sam')}` };
    for (const query of ['cursor=not-base64-json', 'status=MAYBE', 'limit=0', 'limit=1000', 'extra=1']) {
      const answer = await api.get(`/support/approvals?${query}`, auth);
      expect(answer.status, query).toBe(400);
      expect(answer.json).toMatchObject({ error: 'INVALID_REQUEST' });
    }
    const id = 'AAAAAAAAAAAAAAAAAAAAAA';
    expect((await api.post(`/support/approvals/${id}/approve`, {}, auth)).status).toBe(400);
    expect((await api.post(`/support/approvals/${id}/approve`, { reason: 'ok', more: 1 }, auth)).status).toBe(
      400,
    );
    expect((await api.post(`/support/approvals/${id}/approve`, { reason: 'looks fine' }, auth)).status).toBe(
      404,
    );
    expect((await api.post('/support/approvals/bad/deny', { reason: 'looks fine' }, auth)).status).toBe(400);
  });

  it('expires a request nobody decided within the approval timeout', async () => {
    const admin = await createUser(cognito, stack, { groups: ['admins'] });
    const { api, requestId } = await confirmedRequest(admin);
    await waitForStatus(api, requestId, 'AWAITING_APPROVAL');
    expect(await waitForStatus(api, requestId, 'EXPIRED', 30_000)).toMatchObject({ status: 'EXPIRED' });
    expect((await decide(api, requestId, 'approve', await tokenOf('sam'))).status).toBe(409);
    expect((await signIn(cognito, stack, admin)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  }, 60_000);

  it('lets the user cancel with the email link while support has not decided', async () => {
    const admin = await createUser(cognito, stack, { groups: ['admins'] });
    const { api, requestId } = await confirmedRequest(admin);
    await waitForStatus(api, requestId, 'AWAITING_APPROVAL');
    const email = await mail.waitFor(admin.email, CODE_SUBJECT);
    const token = /#token=([A-Za-z0-9_-]+)/.exec(email.body.text ?? '')?.[1] as string;
    expect((await api.post(`/recoveries/${requestId}/cancel`, { token })).status).toBe(200);
    expect(await waitForStatus(api, requestId)).toMatchObject({ status: 'CANCELLED' });
    expect((await decide(api, requestId, 'approve', await tokenOf('sam'))).status).toBe(409);
  });
});
