import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { axeViolations, launchBrowser, screenshots } from '../support/browser';
import { freshSourceIp, httpClient } from '../support/http-client';
import { codeFrom, mailbox } from '../support/mailbox';
import { stackClients } from '../support/stack-clients';
import { createUser, signIn, signInWithTotp, type TestUser, totpCode } from '../support/users';

const stack = inject('stack');
const { cognito } = stackClients(stack);
const mail = mailbox(stack.endpoints.ses);

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

/** On /enroll: signs in, reads the key shown next to the QR code, types a code computed from it. */
async function enrolOnPage(page: Page, user: TestUser, shots?: string) {
  await page.getByLabel('Username or email address').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#qr svg').waitFor({ timeout: 10_000 });
  expect(await page.getByRole('img', { name: /QR code/ }).count()).toBe(1);
  const secret = ((await page.locator('#secret').textContent()) ?? '').replace(/\s/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  expect(await axeViolations(page)).toEqual([]);
  if (shots) await screenshots(page, shots);
  await page.getByLabel('The 6-digit code the app shows now').fill(totpCode(secret));
  await page.getByRole('button', { name: 'Finish set-up' }).click();
  await page.getByRole('button', { name: 'Show my recovery codes' }).waitFor({ timeout: 10_000 });
  user.totpSecret = secret;
}

/** Shows the recovery codes on the page and reads them as the user would save them. */
async function saveCodes(page: Page, shots?: string): Promise<string[]> {
  await page.getByRole('button', { name: 'Show my recovery codes' }).click();
  await page.locator('#code-list li').nth(9).waitFor({ timeout: 10_000 });
  const codes = await page.locator('#code-list li').allTextContents();
  expect(await page.locator('#download-codes').getAttribute('href')).toMatch(/^blob:/);
  expect(await axeViolations(page)).toEqual([]);
  if (shots) await screenshots(page, shots);
  return codes;
}

describe('the whole life of a lost authenticator, in Chromium', () => {
  it('recover, enrol from the QR code, save codes, sign in, lose it again and recover with a code, then make a new set', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      const url = request.url();
      if (
        !url.startsWith(stack.apiUrl) &&
        !url.startsWith(stack.endpoints.cognito) &&
        !url.startsWith('blob:')
      )
        elsewhere.push(url);
    });
    const user = await createUser(cognito, stack);

    // 1. She loses her phone and recovers with the emailed code.
    await page.goto(`${stack.apiUrl}/`);
    await page.getByLabel('Username or email address').fill(user.username);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.waitForURL(/\/recover\/[A-Za-z0-9_-]{22}$/);
    const code = codeFrom(await mail.waitFor(user.email, /code to remove/));
    await page.getByLabel('8-digit code from the email').fill(code);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(() => page.locator('h1').textContent(), { timeout: 15_000 })
      .toBe('Your old authenticator is removed');

    // 2. She enrols a new authenticator on /enroll, from the key shown next to the QR code.
    await page.getByRole('link', { name: 'Set up your new authenticator' }).click();
    await page.waitForURL(/\/enroll$/);
    expect(await axeViolations(page)).toEqual([]);
    await enrolOnPage(page, user, 'enroll-qr');

    // Every channel of the account hears of the new authenticator.
    await mail.waitFor(user.email, /A new authenticator app was added/);

    // 3. She saves recovery codes.
    const codes = await saveCodes(page, 'recovery-codes');
    expect(codes).toHaveLength(10);

    // 4. She signs in with the new authenticator.
    expect((await signInWithTotp(cognito, stack, user)).AccessToken).toBeTruthy();

    // 5. She loses it again and recovers with a recovery code: no emailed code, no wait.
    const emailsBefore = (await mail.to(user.email)).length;
    await page.goto(`${stack.apiUrl}/`);
    await page.getByLabel('Username or email address').fill(user.username);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByLabel('I have a recovery code').check();
    await page.getByLabel('Recovery code', { exact: true }).fill(codes[0] as string);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.waitForURL(/\/recover\/[A-Za-z0-9_-]{22}\?codesLeft=9$/);
    await expect
      .poll(() => page.locator('#state').textContent(), { timeout: 15_000 })
      .toContain('You used a recovery code: 9 are left');
    expect((await mail.to(user.email)).filter((m) => /code to remove/.test(m.subject))).toHaveLength(1);
    expect((await mail.to(user.email)).length).toBeGreaterThan(emailsBefore);
    expect((await signIn(cognito, stack, user)).ChallengeName).toBe('MFA_SETUP');

    // 6. She sets up again and gets a new set: the old codes stop working.
    await page.getByRole('link', { name: 'Set up your new authenticator' }).click();
    await enrolOnPage(page, user);
    const fresh = await saveCodes(page);
    expect(fresh).not.toEqual(codes);
    const old = await httpClient(stack.apiUrl, freshSourceIp()).post('/recoveries', {
      username: user.username,
      password: user.password,
      recoveryCode: codes[1],
    });
    expect(old.status).toBe(401);
    expect(elsewhere).toEqual([]);
    await context.close();
  });
});
