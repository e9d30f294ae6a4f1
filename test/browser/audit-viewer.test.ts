import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { AuditSummary } from '../../functions/domain/audit-summary';
import { axeViolations, launchBrowser, screenshots, signInOnStaffPage } from '../support/browser';
import { freshSourceIp, httpClient } from '../support/http-client';
import { cancelTokenFrom, mailbox } from '../support/mailbox';
import { type AuditRecord, completedRecovery, waitForTerminalRecord } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { staffToken } from '../support/staff';
import { createUser, type TestUser } from '../support/users';

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
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  return () => context.close();
});

const signInAs = (person: TestUser, path = '/audit') =>
  signInOnStaffPage(page, `${stack.apiUrl}${path}`, person);

/** Clicks a button and reads the file it downloads. */
async function downloaded(name: string): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name }).click(),
  ]);
  return readFileSync((await download.path()) as string, 'utf8');
}

/** A request of a fresh user that the user ends: locked by wrong codes, or cancelled from the email. */
async function endedByUser(how: 'LOCKED' | 'CANCELLED') {
  const user = await createUser(stackClients(stack).cognito, stack);
  const api = httpClient(stack.apiUrl, freshSourceIp());
  const answer = await api.post('/recoveries', { username: user.username, password: user.password });
  const { requestId } = answer.json as { requestId: string };
  const email = await mailbox(stack.endpoints.ses).waitFor(user.email, /code to remove/);
  if (how === 'CANCELLED')
    await api.post(`/recoveries/${requestId}/cancel`, { token: cancelTokenFrom(email) });
  else
    for (let i = 0; i < 5; i += 1) await api.post(`/recoveries/${requestId}/confirm`, { code: '00000000' });
  await waitForTerminalRecord(stackClients(stack).documents, stack, requestId);
}

/** The outcome tiles as the page shows them: outcome -> count. */
const tiles = () =>
  page
    .locator('.tiles li')
    .evaluateAll((items) =>
      Object.fromEntries(
        items.map((li) => [
          (li as HTMLElement).dataset.outcome,
          Number(li.querySelector('.tile-value')?.textContent?.replace(/\D/g, '')),
        ]),
      ),
    );

/** The summary the API gives for the range the page shows by default: the last 30 UTC days. */
async function apiSummary(): Promise<AuditSummary> {
  const today = new Date().toISOString().slice(0, 10);
  const first = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
  const answer = await httpClient(stack.apiUrl, freshSourceIp()).get(
    `/audit/summary?from=${first}&to=${today}`,
    { authorization: `Bearer ${await staffToken(stack, 'audrey')}` },
  );
  return answer.json as AuditSummary;
}

/** The texts of one column of the requests table, top to bottom. */
const column = (index: number) =>
  page.locator(`.requests-table tbody tr td:nth-child(${index})`).allTextContents();

describe('the audit viewer, in Chromium', () => {
  it('opens on an overview of the last 30 days: the API’s counts, a stacked chart with its table, the page’s whole width', async () => {
    await Promise.all([completedRecovery(stack), endedByUser('LOCKED'), endedByUser('CANCELLED')]);
    await page.goto(`${stack.apiUrl}/audit`);
    expect(await axeViolations(page)).toEqual([]);
    await signInAs(seeded('audrey'));
    await expect.poll(() => page.locator('.tiles li').count(), { timeout: 10_000 }).toBe(9);

    // Recoveries of other files may end meanwhile: compare with the API until both read the same moment.
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Show the overview' }).click();
          await page.locator('#overview-state:empty').waitFor({ state: 'attached' });
          const expected = await apiSummary();
          const shown = Object.entries(await tiles()).sort();
          return JSON.stringify(shown) === JSON.stringify(Object.entries(expected.byOutcome).sort())
            ? 'same'
            : 'differs';
        },
        { timeout: 20_000 },
      )
      .toBe('same');
    const summary = await apiSummary();
    expect(summary.byOutcome.COMPLETED).toBeGreaterThanOrEqual(1);
    // Colours with a meaning, and always with the words.
    const tile = (outcome: string) => page.locator(`.tiles li[data-outcome="${outcome}"]`);
    expect(await tile('COMPLETED').getAttribute('class')).toContain('tone-good');
    for (const stopped of ['DENIED', 'LOCKED', 'FAILED'])
      expect(await tile(stopped).getAttribute('class')).toContain('tone-bad');
    for (const ended of ['EXPIRED', 'CANCELLED'])
      expect(await tile(ended).getAttribute('class')).toContain('tone-neutral');
    expect(await tile('LOCKED').locator('.tile-label').textContent()).toBe('Locked');
    expect(await page.locator('#figure-locks dd').textContent()).toBe(String(summary.locks));
    expect(await page.locator('#figure-cancels dd').textContent()).toBe(String(summary.cancels));
    expect(await page.locator('#figure-time-to-complete dd').textContent()).toMatch(
      /^median .+, p95 .+ \(\d+ requests?\)$/,
    );

    const chart = page.getByRole('img', { name: /^Recoveries per day by outcome/ });
    expect(await chart.count()).toBe(1);
    expect(await chart.locator('rect.segment').count()).toBeGreaterThanOrEqual(1);
    const green = await chart
      .locator('rect.outcome-COMPLETED')
      .first()
      .evaluate((rect) => getComputedStyle(rect).fill);
    expect(green).toBe('rgb(29, 107, 53)');
    // Wide on a desktop (the README's picture), and nothing wider than a 320 px phone.
    expect((await page.locator('main').boundingBox())?.width).toBeGreaterThan(1100);
    await screenshots(page, 'audit-overview');
    // The chart's figures as text: one row per day of the range.
    await page.getByText('The figures as a table').click();
    expect(await page.locator('#per-day table tbody tr').count()).toBe(30);
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 320, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  }, 90_000);

  it('shows a request’s timeline with IP, user agent and proof, exports only what was searched, and reports a verification', async () => {
    const { user, requestId } = await completedRecovery(stack);
    const chain = await waitForTerminalRecord(stackClients(stack).documents, stack, requestId);
    const sourceIp = String((chain.find((e) => e.seq === 1) as AuditRecord).sourceIp);

    await signInAs(seeded('audrey'));
    await page.getByLabel('Account username').fill(user.username);
    await page.getByRole('button', { name: 'Search' }).click();
    const trail = page.getByRole('region', { name: `Request ${requestId}` });
    await expect.poll(() => trail.count(), { timeout: 10_000 }).toBe(1);
    expect(await trail.getByRole('heading').textContent()).toBe(`${user.username}: Completed`);
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
    const requested = trail.locator('li').first();
    expect(await requested.locator('dl').innerText()).toMatch(
      new RegExp(
        `IP address\\s+${sourceIp.replace(/\./g, '\\.')}\\s+User agent\\s+e2e-test\\s+Proof\\s+PASSWORD`,
      ),
    );
    // A completed request ends on green, not on the red of a failure.
    const end = trail.locator('li.end');
    expect(await end.evaluate((li) => getComputedStyle(li, '::before').backgroundColor)).toBe(
      'rgb(29, 107, 53)',
    );
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'audit-viewer');

    const [header, ...rows] = (await downloaded('Export CSV')).trim().split('\n');
    expect(header).toMatch(/^at,requestId,seq,type/);
    expect(rows.map((row) => row.split(',')[1])).toEqual(chain.map(() => requestId));

    await page.getByRole('button', { name: 'Verify the chains' }).click();
    await expect
      .poll(() => page.locator('#trail-state').textContent(), { timeout: 10_000 })
      .toMatch(/^Intact: [\d,]+ events/);
    const report = page.getByRole('region', { name: 'Chain verification report' });
    expect(await report.locator('dl').innerText()).toMatch(/Verified by\s+audrey/);
    const saved = JSON.parse(await downloaded('Download the report (JSON)')) as Record<string, unknown>;
    expect(saved).toMatchObject({ ok: true, verifiedBy: 'audrey' });
    expect(saved.verifiedAt).toEqual(expect.any(String));
    expect(await axeViolations(page)).toEqual([]);
  });

  it('sorts the requests found by any column, both ways', async () => {
    await Promise.all([completedRecovery(stack), completedRecovery(stack)]);
    await signInAs(seeded('audrey'));
    await page.getByRole('button', { name: 'Search' }).click();
    await expect
      .poll(() => page.locator('.requests-table tbody tr').count(), { timeout: 10_000 })
      .toBeGreaterThan(1);
    const ordered = (values: string[], direction: 1 | -1) =>
      values.every(
        (value, i) =>
          i === 0 ||
          direction *
            (values[i - 1] as string).localeCompare(value, undefined, {
              numeric: true,
              sensitivity: 'base',
            }) <=
            0,
      );

    await page.getByRole('button', { name: 'Account' }).click();
    expect(await page.getByRole('columnheader', { name: 'Account' }).getAttribute('aria-sort')).toBe(
      'ascending',
    );
    expect(ordered(await column(2), 1)).toBe(true);
    await page.getByRole('button', { name: 'Account' }).click();
    expect(await page.getByRole('columnheader', { name: 'Account' }).getAttribute('aria-sort')).toBe(
      'descending',
    );
    expect(ordered(await column(2), -1)).toBe(true);
    await page.getByRole('button', { name: 'Events' }).click();
    const counts = (await column(7)).map((text) => Number(text.replace(/\D/g, '')));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(await axeViolations(page)).toEqual([]);
  });

  it('takes ?request=<id> from a link: the search is filled in and that request’s timeline opens', async () => {
    const { requestId } = await completedRecovery(stack);
    await signInAs(seeded('audrey'), `/audit?request=${requestId}`);
    await expect
      .poll(() => page.getByRole('region', { name: `Request ${requestId}` }).count(), { timeout: 10_000 })
      .toBe(1);
    expect(await page.getByRole('textbox', { name: 'Request id' }).inputValue()).toBe(requestId);
  });

  it('tells a support person they are not an auditor', async () => {
    await signInAs(seeded('sam'));
    await expect
      .poll(() => page.locator('#overview-error').textContent())
      .toBe('Your account is not in the auditor group.');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect
      .poll(() => page.locator('#search-error').textContent())
      .toBe('Your account is not in the auditor group.');
  });
});
