import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { axeViolations, launchBrowser, screenshots, signInOnStaffPage } from '../support/browser';
import { freshSourceIp, httpClient } from '../support/http-client';
import { codeFrom, mailbox } from '../support/mailbox';
import { ownStack } from '../support/own-stack';
import { auditOf, waitForStatus, waitForTerminalRecord } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { createUser, signIn, type TestUser } from '../support/users';

const stack = inject('stack');
const { cognito, documents } = stackClients(stack);
const mail = mailbox(stack.endpoints.ses);
const seeded = (name: string) => stack.users.find((u) => u.username === name) as TestUser;

let browser: Browser;
let context: BrowserContext;
let page: Page;
const origins = new Set<string>();

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});
beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  page = await context.newPage();
  page.on('request', (request) => origins.add(new URL(request.url()).origin));
  return () => context.close();
});

/** A lost-password request whose code is confirmed: it waits for one support approval. */
async function pendingRequest() {
  const user = await createUser(cognito, stack);
  const api = httpClient(stack.apiUrl, freshSourceIp());
  const { requestId } = (await api.post('/recoveries', { username: user.username, lostPassword: true }))
    .json as {
    requestId: string;
  };
  const code = codeFrom(await mail.waitFor(user.email, /code to remove/));
  await api.post(`/recoveries/${requestId}/confirm`, { code });
  await waitForStatus(api, requestId, 'AWAITING_APPROVAL');
  return { user, api, requestId };
}

const signInAs = (person: TestUser) => signInOnStaffPage(page, `${stack.apiUrl}/support`, person);

// A user pool with Cognito threat protection, whose seeded users have recorded sign-ins, and time
// enough to read a card before its request expires. Its tests run last: the origin test above lists
// the shared stack's origins only.
const withThreatProtection = ownStack({
  poolMfa: 'ON',
  threatProtection: true,
  functionEnvironment: { APPROVAL_TIMEOUT_SECONDS: '600', CODE_TTL_SECONDS: '60' },
});

describe('the support console, in Chromium', () => {
  it('lets a support person sign in with TOTP, read the risk reasons and approve a request to completion', async () => {
    const { user, api, requestId } = await pendingRequest();
    await page.goto(`${stack.apiUrl}/support`);
    expect(await axeViolations(page)).toEqual([]);
    await signInAs(seeded('sam'));
    await expect.poll(() => page.locator('#staff-name').textContent()).toBe('sam');

    const card = page.locator('li.approval', { has: page.getByRole('heading', { name: user.username }) });
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    expect(await card.textContent()).toContain('also lost the password (LOST_PASSWORD)');
    expect(await card.textContent()).toContain(requestId);
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'support-console');

    await card.getByRole('button', { name: 'Approve' }).click();
    expect(await card.locator('.error').textContent()).toBe('Say why, in a few words.');
    await card.getByLabel('Reason for your decision').fill('Called the user on the number we have on file');
    await card.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => card.locator('.decision').textContent())
      .toBe('Approved. The authenticator will be removed and the user told.');

    expect(await waitForStatus(api, requestId)).toMatchObject({ status: 'COMPLETED' });
    expect((await signIn(cognito, stack, user)).ChallengeName).toBe('MFA_SETUP');
    const records = await waitForTerminalRecord(documents, stack, requestId);
    expect(records.find((r) => r.type === 'Approved')).toMatchObject({ actor: 'support:sam' });
  });

  it('shows the decisions made, and denies with a reason', async () => {
    const { user, api, requestId } = await pendingRequest();
    await signInAs(seeded('sara'));
    const card = page.locator('li.approval', { has: page.getByRole('heading', { name: user.username }) });
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    await card.getByLabel('Reason for your decision').fill('The user did not answer the call-back');
    await card.getByRole('button', { name: 'Deny' }).click();
    await expect.poll(() => card.locator('.decision').textContent()).toContain('Denied.');
    expect(await waitForStatus(api, requestId)).toMatchObject({ status: 'DENIED' });

    await page.getByLabel('Show').selectOption('DENIED');
    const decided = page.locator('li.approval', { has: page.getByRole('heading', { name: user.username }) });
    await expect.poll(() => decided.locator('.decision').textContent(), { timeout: 10_000 }).toBe('Denied.');
    expect(await decided.locator('form').count()).toBe(0);
  });

  it('refuses a wrong password and an account outside the support group, in plain words', async () => {
    await signInAs({ ...seeded('sam'), password: 'Not-the-password-1', totpSecret: undefined });
    await expect
      .poll(() => page.locator('#sign-in-error').textContent())
      .toBe('That username or password is not right.');
    await signInAs(seeded('audrey'));
    await expect
      .poll(() => page.locator('#queue-state').textContent())
      .toBe('Your account is not in the support group: you cannot review requests.');
  });

  it('talks only to its own origin and the Cognito endpoint, which its CSP names', async () => {
    const response = await page.goto(`${stack.apiUrl}/support`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    const cognitoOrigin = new URL(stack.endpoints.cognito).origin;
    expect(csp).toContain(`connect-src 'self' ${cognitoOrigin};`);
    expect(csp).toContain("script-src 'self';");
    expect([...origins].sort()).toEqual([new URL(stack.apiUrl).origin, cognitoOrigin].sort());
  });
});

describe('a decision in the support console, with what it needs', () => {
  it('shows every detail of a privileged request, records a claim, approves with the checklist, and reads "1 of 2" at once', async () => {
    const info = withThreatProtection.current.info;
    const { documents } = stackClients(info);
    const adam = info.users.find((u) => u.username === 'adam') as TestUser;
    const sam = info.users.find((u) => u.username === 'sam') as TestUser;
    const api = httpClient(info.apiUrl, freshSourceIp());
    const { requestId } = (await api.post('/recoveries', { username: 'adam', password: adam.password }))
      .json as {
      requestId: string;
    };
    const code = codeFrom(await mailbox(info.endpoints.ses).waitFor(adam.email, /code to remove/));
    await api.post(`/recoveries/${requestId}/confirm`, { code });
    await waitForStatus(api, requestId, 'AWAITING_APPROVAL');

    await signInOnStaffPage(page, `${info.apiUrl}/support`, sam);
    const card = page.locator('li.approval', { has: page.getByRole('heading', { name: 'adam' }) });
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    const text = (await card.textContent()) ?? '';
    for (const shown of [
      requestId,
      'Proved with',
      'the password, then the code emailed to the account',
      'Approvals0 of 2',
      'member of a privileged group (admins) (PRIVILEGED_GROUP:admins)',
      'Account created',
      'Account last modified',
      'Emaila•••@e•••.com (verified)',
      'Phonenone on the account',
      'Account statusCONFIRMED',
      'MFA nowauthenticator app (TOTP); preferred: authenticator app (TOTP)',
      'Groupsadmins',
      'Wrong passwords0 in the 24 h before the request; 0 in the last 24 h',
      'IP address (as sent by the client)',
      'Browser (as sent by the client)e2e-test — this is the user’s first request',
      'Earlier recoveries of this userNone.',
      'Sign-in events (Cognito threat protection)',
      'risk Medium (AccountTakeover) · IP 203.0.113.77 · Sydney, Australia · device Chrome, Android',
      'Toronto, Canada · device Firefox, Windows',
      'Nobody has said they are looking at this.',
    ]) {
      expect(text, shown).toContain(shown);
    }
    expect(text).toMatch(/Waiting \d+ sec of 10 min \(decide by .+\)\./);
    expect(
      await card.getByRole('link', { name: 'Open this request’s audit timeline' }).getAttribute('href'),
    ).toBe(`/audit?request=${requestId}`);

    await card.getByRole('button', { name: 'I’m looking at this' }).click();
    await expect
      .poll(() => card.locator('.claim p').textContent())
      .toMatch(/^You are looking at this \(until /);
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'support-console-decision');

    const checked = 'Called the user back on the phone number in our HR system';
    await card.getByLabel(checked).check();
    await card.getByLabel('Reason for your decision').fill('Called adam back on the number HR has');
    await card.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => card.locator('.decision').textContent())
      .toBe('Your approval is recorded: 1 of 2. Another person must approve too.');
    expect(await card.locator('.approval-count').textContent()).toBe('1 of 2 (sam)');
    expect(await axeViolations(page)).toEqual([]);

    const approved = (await auditOf(documents, info, requestId)).find((r) => r.type === 'Approved');
    expect(approved).toMatchObject({ actor: 'support:sam', outcome: 'PARTIAL' });
    const details = approved?.details as { checklist: string };
    expect(JSON.parse(details.checklist)).toEqual([checked]);
  });
});
