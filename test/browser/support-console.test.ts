import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { axeViolations, launchBrowser, screenshots, signInOnStaffPage } from '../support/browser';
import { freshSourceIp, httpClient } from '../support/http-client';
import { codeFrom, mailbox } from '../support/mailbox';
import { waitForStatus, waitForTerminalRecord } from '../support/recoveries';
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
