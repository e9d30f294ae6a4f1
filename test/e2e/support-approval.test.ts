import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
async function confirmedRequest(user: TestUser, emailNumber = 1, sourceIp = freshSourceIp()) {
  const api = httpClient(stack.apiUrl, sourceIp);
  const started = await api.post('/recoveries', { username: user.username, password: user.password });
  const { requestId } = started.json as { requestId: string };
  const code = codeFrom(await mail.waitFor(user.email, CODE_SUBJECT, emailNumber));
  expect((await api.post(`/recoveries/${requestId}/confirm`, { code })).status).toBe(200);
  return { api, requestId, sourceIp };
}

/** The list as a support person reads it: its items and the verification checklist. */
async function supportList(api: ReturnType<typeof httpClient>, token: string, status = 'PENDING') {
  const listed = await api.get(`/support/approvals?status=${status}&limit=100`, {
    authorization: `Bearer ${token}`,
  });
  expect(listed.status).toBe(200);
  return listed.json as { items: Record<string, unknown>[]; checklist: string[] };
}

const itemOf = (list: { items: Record<string, unknown>[] }, requestId: string) =>
  list.items.find((item) => item.requestId === requestId) as Record<string, unknown>;

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

describe('what the support list tells about each request', () => {
  it('shows the account now (masked contacts), its groups, MFA, earlier requests, wrong passwords, the client and the deadline, and no sign-in events without threat protection', async () => {
    const admin = await createUser(cognito, stack, { groups: ['admins'], phone: '+15555550189' });
    const sam = await tokenOf('sam');
    const wrong = await httpClient(stack.apiUrl, freshSourceIp()).post('/recoveries', {
      username: admin.username,
      password: `${admin.password}-wrong`,
    });
    expect(wrong.status).toBe(401);
    const { api, requestId, sourceIp } = await confirmedRequest(admin);
    await waitForStatus(api, requestId, 'AWAITING_APPROVAL');

    const item = itemOf(await supportList(api, sam), requestId);
    expect(item).toMatchObject({
      username: admin.username,
      proof: 'PASSWORD',
      requiredApprovals: 2,
      decisions: [],
      auditUrl: `/audit?request=${requestId}`,
      context: {
        account: {
          available: true,
          value: {
            enabled: true,
            status: 'CONFIRMED',
            email: { masked: 'u•••@e•••.com', verified: true },
            phone: { masked: '+•••••••89', verified: true },
            mfa: { settings: ['SOFTWARE_TOKEN_MFA'] },
          },
        },
        groups: { available: true, value: ['admins'] },
        earlierRequests: { available: true, value: { items: [], total: 0, complete: true } },
        wrongPasswords: { available: true, value: { beforeRequest: 1, last24Hours: 1 } },
        client: {
          available: true,
          value: {
            sourceIp: { value: sourceIp, comparedWithEarlier: 'FIRST_REQUEST' },
            userAgent: { value: 'e2e-test', comparedWithEarlier: 'FIRST_REQUEST' },
          },
        },
        signInEvents: { available: false, reason: 'THREAT_PROTECTION_OFF' },
      },
    });
    const account = (item.context as { account: { value: Record<string, string> } }).account.value;
    expect(Date.now() - Date.parse(account.createdAt as string)).toBeLessThan(120_000);
    expect(Date.parse(account.modifiedAt as string)).toBeGreaterThanOrEqual(
      Date.parse(account.createdAt as string),
    );
    // The deadline is the approval timeout after the code was confirmed (10 s in this stack).
    const waited = Date.parse(item.decideBy as string) - Date.parse(item.confirmedAt as string);
    expect(waited).toBeGreaterThan(9_000);
    expect(waited).toBeLessThanOrEqual(10_000);
    expect(JSON.stringify(item)).not.toContain(admin.email);
    expect(JSON.stringify(item)).not.toContain('+15555550189');
    await decide(api, requestId, 'deny', sam);
  });

  it('records the checklist items ticked with each decision, refuses items not on the checklist (400), and lists who decided and why', async () => {
    const admin = await createUser(cognito, stack, { groups: ['admins'] });
    const [sam, sara] = await Promise.all([tokenOf('sam'), tokenOf('sara')]);
    const { api, requestId } = await confirmedRequest(admin);
    await waitForStatus(api, requestId, 'AWAITING_APPROVAL');
    const { checklist } = await supportList(api, sam);
    expect(checklist).toContain('Called the user back on the phone number in our HR system');
    const [first = '', second = '', third = ''] = checklist;

    const refused = await decide(api, requestId, 'approve', sam, 'called back', [
      first,
      'Looked at the moon',
    ]);
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({
      error: 'INVALID_REQUEST',
      fields: [{ path: 'checklist.1', message: 'not an item of the checklist' }],
    });
    expect((await decide(api, requestId, 'approve', sam, 'called back', [first, third])).json).toEqual({
      status: 'PENDING',
      approvals: 1,
      requiredApprovals: 2,
      approvers: ['sam'],
    });
    expect((await decide(api, requestId, 'deny', sara, 'the user could not answer', [second])).json).toEqual({
      status: 'DENIED',
    });

    const records = await waitForTerminalRecord(documents, stack, requestId);
    const approved = records.find((r) => r.type === 'Approved')?.details as Record<string, string | number>;
    expect(JSON.parse(approved.checklist as string)).toEqual([first, third]);
    expect(approved.checklistOffered).toBe(checklist.length);
    const denied = records.find((r) => r.type === 'RecoveryDenied')?.details as Record<string, string>;
    expect(denied).toMatchObject({ staffReason: 'the user could not answer' });
    expect(JSON.parse(denied.checklist as string)).toEqual([second]);

    const decided = itemOf(await supportList(api, sam, 'DENIED'), requestId);
    expect(decided).toMatchObject({
      status: 'DENIED',
      deniedBy: 'sara',
      decisionReason: 'the user could not answer',
      decisions: [
        {
          by: 'sam',
          decision: 'APPROVED',
          reason: 'called back',
          checklist: [first, third],
          at: expect.any(String),
        },
        { by: 'sara', decision: 'DENIED', reason: 'the user could not answer', checklist: [second] },
      ],
    });
  });

  it('lets one person claim a request: another gets 409 with who holds it, until the claim is 15 minutes old', async () => {
    const admin = await createUser(cognito, stack, { groups: ['admins'] });
    const [sam, sara, audrey] = await Promise.all([tokenOf('sam'), tokenOf('sara'), tokenOf('audrey')]);
    const { api, requestId } = await confirmedRequest(admin);
    await waitForStatus(api, requestId, 'AWAITING_APPROVAL');
    const claim = (token?: string, body?: object) =>
      api.post(
        `/support/approvals/${requestId}/claim`,
        body,
        token ? { authorization: `Bearer ${token}` } : {},
      );

    const mine = await claim(sam);
    expect(mine.status).toBe(200);
    const held = (mine.json as { claim: { by: string; since: string; until: string; active: boolean } })
      .claim;
    expect(held).toMatchObject({ by: 'sam', active: true });
    expect(Date.parse(held.until) - Date.parse(held.since)).toBe(15 * 60_000);
    const taken = await claim(sara);
    expect(taken.status).toBe(409);
    expect(taken.json).toMatchObject({
      error: 'CLAIMED',
      claim: { by: 'sam', since: held.since, active: true },
    });
    expect(itemOf(await supportList(api, sara), requestId).claim).toMatchObject({ by: 'sam', active: true });
    expect((await claim(sam)).status).toBe(200);

    // Fifteen minutes later (the claim's time moved back), the claim has lapsed and sara takes it over.
    await documents.send(
      new UpdateCommand({
        TableName: stack.tables.recoveries,
        Key: { pk: `REQ#${requestId}`, sk: 'APPROVAL' },
        UpdateExpression: 'SET claimedAt = :then',
        ExpressionAttributeValues: { ':then': new Date(Date.now() - 15 * 60_000 - 1000).toISOString() },
      }),
    );
    expect(itemOf(await supportList(api, sara), requestId).claim).toMatchObject({ by: 'sam', active: false });
    expect((await claim(sara)).json).toMatchObject({ claim: { by: 'sara', active: true } });

    expect((await claim()).status).toBe(401);
    expect((await claim(audrey)).status).toBe(403);
    expect((await claim(sam, { me: true })).status).toBe(400);
    expect(
      (
        await api.post('/support/approvals/AAAAAAAAAAAAAAAAAAAAAA/claim', undefined, {
          authorization: `Bearer ${sam}`,
        })
      ).status,
    ).toBe(404);
    await decide(api, requestId, 'deny', sara);
    expect((await claim(sam)).json).toMatchObject({ error: 'ALREADY_DECIDED' });
  });
});
