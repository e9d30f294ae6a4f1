import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { axeViolations, launchBrowser, screenshots, signInOnStaffPage } from '../support/browser';
import { completedRecovery } from '../support/recoveries';
import type { TestUser } from '../support/users';

const stack = inject('stack');
const seeded = (name: string) => stack.users.find((u) => u.username === name) as TestUser;

let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});
beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1024, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  return () => context.close();
});

const signInAs = (person: TestUser) => signInOnStaffPage(page, `${stack.apiUrl}/audit`, person);

describe('the audit viewer, in Chromium', () => {
  it('shows an auditor one request as a timeline, exports it, and verifies the chains', async () => {
    const { user, requestId } = await completedRecovery(stack);

    await page.goto(`${stack.apiUrl}/audit`);
    expect(await axeViolations(page)).toEqual([]);
    await signInAs(seeded('audrey'));
    await page.getByLabel('Account username').fill(user.username);
    await page.getByRole('button', { name: 'Search' }).click();
    const trail = page.getByRole('region', { name: `Request ${requestId}` });
    await expect.poll(() => trail.count(), { timeout: 10_000 }).toBe(1);
    expect(await trail.getByRole('heading').textContent()).toBe(`${user.username}: COMPLETED`);
    const steps = await trail.locator('li strong').allTextContents();
    expect(steps.map((s) => s.trim())).toEqual(
      expect.arrayContaining([
        'RecoveryRequested',
        'CodeSent',
        'CodeConfirmed',
        'TotpRemoved',
        'RecoveryCompleted',
      ]),
    );
    expect(steps[0]?.trim()).toBe('RecoveryRequested');
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'audit-viewer');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^at,requestId,seq,type/);
    expect(csv).toContain(requestId);

    await page.getByRole('button', { name: 'Verify the chains' }).click();
    await expect
      .poll(() => page.locator('#trail-state').textContent(), { timeout: 10_000 })
      .toMatch(/^Intact: \d+ events/);
  });

  it('tells a support person they are not an auditor', async () => {
    await signInAs(seeded('sam'));
    await page.getByRole('button', { name: 'Search' }).click();
    await expect
      .poll(() => page.locator('#search-error').textContent())
      .toBe('Your account is not in the auditor group.');
  });
});
