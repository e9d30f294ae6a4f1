import { describe, expect, it } from 'vitest';
import { freshSourceIp, httpClient } from '../support/http-client';
import { codeFrom, mailbox } from '../support/mailbox';
import { ownStack } from '../support/own-stack';
import { waitForStatus, waitForTerminalRecord } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { decide, staffToken } from '../support/staff';
import { setUpAuthenticatorAtSignIn, signIn, type TestUser } from '../support/users';

// A user pool with Cognito threat protection (AUDIT), whose seeded users have recorded sign-ins, and
// time enough to read the list before a request expires.
const own = ownStack({
  poolMfa: 'ON',
  threatProtection: true,
  functionEnvironment: { APPROVAL_TIMEOUT_SECONDS: '600', CODE_TTL_SECONDS: '60' },
});

describe('the support list, for a seeded user with a history, in a pool with threat protection', () => {
  it('shows the earlier recovery and its outcome, the wrong passwords, the client compared with the earlier request, and Cognito’s sign-in events', async () => {
    const info = own.current.info;
    const { cognito, documents } = stackClients(info);
    const mail = mailbox(info.endpoints.ses);
    const peter = { ...(info.users.find((u) => u.username === 'peter') as TestUser) };
    const sourceIp = freshSourceIp();
    const api = httpClient(info.apiUrl, sourceIp);

    // The history: a wrong password on the recovery form, then a recovery to the end.
    expect(
      (await api.post('/recoveries', { username: 'peter', password: 'Not-his-password-1' })).status,
    ).toBe(401);
    const first = (await api.post('/recoveries', { username: 'peter', password: peter.password })).json as {
      requestId: string;
    };
    const firstCode = codeFrom(await mail.waitFor(peter.email, /code to remove/));
    await api.post(`/recoveries/${first.requestId}/confirm`, { code: firstCode });
    expect(await waitForStatus(api, first.requestId)).toMatchObject({ status: 'COMPLETED' });
    const setup = await signIn(cognito, info, peter);
    await setUpAuthenticatorAtSignIn(cognito, info, peter, setup.Session as string);

    // Again, from the same address with another browser: a recent recovery makes it wait for support.
    const again = { 'user-agent': 'Another-browser/2.0' };
    const second = (await api.post('/recoveries', { username: 'peter', password: peter.password }, again))
      .json as { requestId: string };
    const secondCode = codeFrom(await mail.waitFor(peter.email, /code to remove/, 2));
    await api.post(`/recoveries/${second.requestId}/confirm`, { code: secondCode }, again);
    await waitForStatus(api, second.requestId, 'AWAITING_APPROVAL');

    const sam = await staffToken(info, 'sam');
    const listed = await api.get('/support/approvals?status=PENDING', { authorization: `Bearer ${sam}` });
    const item = (listed.json as { items: Record<string, unknown>[] }).items.find(
      (i) => i.requestId === second.requestId,
    ) as Record<string, unknown>;
    expect(item).toMatchObject({
      username: 'peter',
      proof: 'PASSWORD',
      risk: { level: 'HIGH', reasons: ['RECENT_RECOVERY:30d'] },
      context: {
        account: {
          available: true,
          value: {
            email: { masked: 'p•••@e•••.com', verified: true },
            phone: { masked: '+•••••••23', verified: true },
            mfa: { settings: ['SOFTWARE_TOKEN_MFA'] },
          },
        },
        groups: { available: true, value: [] },
        earlierRequests: {
          available: true,
          value: {
            items: [{ requestId: first.requestId, outcome: 'COMPLETED', proof: 'PASSWORD' }],
            total: 1,
            complete: true,
          },
        },
        wrongPasswords: { available: true, value: { beforeRequest: 1, last24Hours: 1 } },
        client: {
          available: true,
          value: {
            sourceIp: { value: sourceIp, comparedWithEarlier: 'SAME' },
            userAgent: { value: 'Another-browser/2.0', comparedWithEarlier: 'NEW' },
          },
        },
        signInEvents: { available: true },
      },
    });
    const events = (item.context as { signInEvents: { value: Record<string, string>[] } }).signInEvents.value;
    expect(events.length).toBeGreaterThan(2);
    // The seed's sign-ins: the usual computer in Toronto, then a wrong password from a new place.
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'SignIn',
        response: 'Fail',
        riskLevel: 'Medium',
        ipAddress: '203.0.113.77',
        city: 'Sydney',
        country: 'Australia',
        device: 'Chrome, Android',
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ ipAddress: '198.51.100.23', city: 'Toronto', device: 'Firefox, Windows' }),
    );
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort().reverse());
    // The form's own password proofs reach Cognito with the user's address (ContextData), not the function's.
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'SignIn', response: 'Fail', ipAddress: sourceIp }),
    );

    const checked = ['Called the user back on the phone number in our HR system'];
    expect((await decide(api, second.requestId, 'approve', sam, 'called him back', checked)).status).toBe(
      200,
    );
    const records = await waitForTerminalRecord(documents, info, second.requestId);
    const approved = records.find((r) => r.type === 'Approved')?.details as Record<string, string>;
    expect(JSON.parse(approved.checklist as string)).toEqual(checked);
  });
});
