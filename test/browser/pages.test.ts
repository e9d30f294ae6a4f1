import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { axeViolations, launchBrowser, screenshots } from '../support/browser';
import { freshSourceIp, httpClient } from '../support/http-client';
import { cancelTokenFrom, codeFrom, mailbox } from '../support/mailbox';
import { stackClients } from '../support/stack-clients';
import { createUser, signIn, type TestUser } from '../support/users';

const stack = inject('stack');
const { cognito } = stackClients(stack);
const mail = mailbox(stack.endpoints.ses);
const CODE_SUBJECT = /code to remove/;

let browser: Browser;
let context: BrowserContext;
let page: Page;
const thirdParty: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});
beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  page = await context.newPage();
  page.on('request', (request) => {
    if (!request.url().startsWith(stack.apiUrl)) thirdParty.push(request.url());
  });
  return () => context.close();
});

/** Types the lost-device form as a person would, and lands on the confirmation page. */
async function askForRecovery(user: TestUser): Promise<string> {
  await page.goto(`${stack.apiUrl}/`);
  await page.getByLabel('Username or email address').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.waitForURL(/\/recover\/[A-Za-z0-9_-]{22}$/);
  await expect
    .poll(() => page.locator('#state').textContent(), { timeout: 15_000 })
    .toContain('Enter it below');
  return page.url().split('/').pop() as string;
}

async function typeCode(code: string) {
  await page.getByLabel('8-digit code from the email').fill(code);
  await page.getByRole('button', { name: 'Confirm' }).click();
}

describe('the lost-device pages, in Chromium', () => {
  it('take a user from the form to a completed recovery with the emailed code', async () => {
    const user = await createUser(cognito, stack);
    await page.goto(`${stack.apiUrl}/`);
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'request-form');
    await askForRecovery(user);
    expect(await axeViolations(page)).toEqual([]);
    await expect
      .poll(() => page.locator('#countdown').textContent(), { timeout: 5_000 })
      .toMatch(/expires in \d+ min/);
    await screenshots(page, 'confirm-code');
    const code = codeFrom(await mail.waitFor(user.email, CODE_SUBJECT));
    await typeCode(code);
    await expect
      .poll(() => page.locator('#state').textContent(), { timeout: 15_000 })
      .toContain('set up your new authenticator');
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'completed');
    expect((await signIn(cognito, stack, user)).ChallengeName).toBe('MFA_SETUP');
  });

  it('let a user who also lost the password ask without it, and say support will check', async () => {
    const user = await createUser(cognito, stack);
    await page.goto(`${stack.apiUrl}/`);
    await page.getByLabel('Username or email address').fill(user.email);
    await page.getByLabel('I also lost my password').check();
    expect(await page.getByLabel('Password', { exact: true }).isVisible()).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.waitForURL(/\/recover\/[A-Za-z0-9_-]{22}$/);
    const code = codeFrom(await mail.waitFor(user.email, CODE_SUBJECT));
    await typeCode(code);
    await expect.poll(() => page.locator('#state').textContent(), { timeout: 15_000 }).toContain('support');
    expect((await signIn(cognito, stack, user)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  });

  it('show the attempts left after a wrong code, accept pasted spaces, and tie the error to the field', async () => {
    const user = await createUser(cognito, stack);
    await askForRecovery(user);
    const code = codeFrom(await mail.waitFor(user.email, CODE_SUBJECT));
    const wrong = `${code.slice(0, -1)}${(Number(code.at(-1)) + 1) % 10}`;
    await typeCode(wrong);
    const field = page.getByLabel('8-digit code from the email');
    await expect
      .poll(() => page.locator('#code-error').textContent())
      .toBe('That code is not right. 4 attempts left.');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toContain('code-error');
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'wrong-code');
    await typeCode(`  ${code.slice(0, 4)} ${code.slice(4)} `);
    await expect.poll(() => page.locator('#state').textContent(), { timeout: 15_000 }).toContain('Done.');
  });

  it('tell the user in plain words when the request expired, also when they come back by its URL', async () => {
    const user = await createUser(cognito, stack);
    const requestId = await askForRecovery(user);
    await page.waitForTimeout(13_000);
    await page.goto(`${stack.apiUrl}/recover/${requestId}`);
    await expect.poll(() => page.locator('#state').textContent(), { timeout: 15_000 }).toContain('expired');
    expect(await page.locator('#confirm-form').isHidden()).toBe(true);
    // A dead end: its own heading, and the operator's support contact.
    expect(await page.locator('h1').textContent()).toBe('This request expired');
    expect(await page.locator('.support-contact').textContent()).toBe(
      'Need help? Contact support: the support page or help@example.com.',
    );
    expect(await page.getByRole('link', { name: 'help@example.com' }).getAttribute('href')).toBe(
      'mailto:help@example.com',
    );
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'expired');
  }, 60_000);

  it('cancel only when the button on the "this was not me" page is pressed', async () => {
    const user = await createUser(cognito, stack);
    const api = httpClient(stack.apiUrl, freshSourceIp());
    const started = await api.post('/recoveries', { username: user.username, password: user.password });
    const { requestId } = started.json as { requestId: string };
    const email = await mail.waitFor(user.email, CODE_SUBJECT);
    const link = /(http\S+\/cancel#token=[A-Za-z0-9_-]+)/.exec(email.body.text ?? '')?.[1] as string;
    expect(link).toContain(`/recover/${requestId}/cancel#token=${cancelTokenFrom(email)}`);
    await page.goto(link);
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'cancel');
    expect((await api.get(`/recoveries/${requestId}`)).json).toMatchObject({ status: 'CODE_SENT' });
    await page.getByRole('button', { name: 'Cancel the request' }).click();
    await expect
      .poll(() => page.locator('#state').textContent(), { timeout: 5_000 })
      .toContain('The request is cancelled');
    await expect
      .poll(async () => ((await api.get(`/recoveries/${requestId}`)).json as { status: string }).status, {
        timeout: 10_000,
      })
      .toBe('CANCELLED');
  });

  it('tell a privileged user their request awaits a review by support', async () => {
    const admin = await createUser(cognito, stack, { groups: ['admins'] });
    await askForRecovery(admin);
    await typeCode(codeFrom(await mail.waitFor(admin.email, CODE_SUBJECT)));
    await expect
      .poll(() => page.locator('#state').textContent(), { timeout: 15_000 })
      .toContain('A person in our support team is checking the request');
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'awaiting-review');
  });

  it('can be used with the keyboard alone, with a visible focus', async () => {
    await page.goto(`${stack.apiUrl}/`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('identifier');
    const outline = await page.evaluate(
      () => getComputedStyle(document.activeElement as Element).outlineStyle,
    );
    expect(outline).not.toBe('none');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('password');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('#identifier-error').textContent())
      .toBe('Enter your username or email address.');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('identifier');
  });

  it('fit a 320 px screen at 200% zoom without horizontal scrolling', async () => {
    const small = await browser.newContext({ viewport: { width: 320, height: 640 }, deviceScaleFactor: 2 });
    const zoomed = await small.newPage();
    await zoomed.goto(`${stack.apiUrl}/`);
    await zoomed.evaluate(() => {
      document.documentElement.style.fontSize = '200%';
    });
    const overflow = await zoomed.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await small.close();
  });

  it('load nothing from a third party, and serve a strict Content-Security-Policy', async () => {
    const response = await page.goto(`${stack.apiUrl}/recover/AAAAAAAAAAAAAAAAAAAAAA`);
    const headers = response?.headers() ?? {};
    expect(headers['content-security-policy']).toContain("default-src 'none'");
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(thirdParty).toEqual([]);
  });
});
