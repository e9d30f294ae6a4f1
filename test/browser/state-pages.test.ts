import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StackInfo } from '../../local/stack-info';
import { axeViolations, launchBrowser, screenshots } from '../support/browser';
import { freshSourceIp, httpClient } from '../support/http-client';
import { cancelTokenFrom, codeFrom, mailbox } from '../support/mailbox';
import { ownStack } from '../support/own-stack';
import { waitForStatus } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { decide, staffToken } from '../support/staff';
import { createUser, type TestUser } from '../support/users';

const stack = inject('stack');
// A stack of its own for the cool-down, which the shared stack does not have.
const cooling = ownStack({ functionEnvironment: { COOL_DOWN_SECONDS: '600', PRIVILEGED_APPROVALS: '1' } });

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext()).newPage();
});
afterAll(async () => {
  await browser.close();
});

/** A request whose code email arrived; with `confirm`, its code is confirmed too. */
async function started(info: StackInfo, user: TestUser, confirm: boolean) {
  const api = httpClient(info.apiUrl, freshSourceIp());
  const answer = await api.post('/recoveries', { username: user.username, password: user.password });
  const { requestId } = answer.json as { requestId: string };
  const email = await mailbox(info.endpoints.ses).waitFor(user.email, /code to remove/);
  if (confirm)
    expect((await api.post(`/recoveries/${requestId}/confirm`, { code: codeFrom(email) })).status).toBe(200);
  return { api, requestId, email };
}

/** Opens the request's page, checks its own heading and axe, and keeps a screenshot of it (docs/img). */
async function statePage(info: StackInfo, requestId: string, heading: string, name: string) {
  await page.goto(`${info.apiUrl}/recover/${requestId}`);
  await expect.poll(() => page.locator('h1').textContent(), { timeout: 15_000 }).toBe(heading);
  expect(await axeViolations(page)).toEqual([]);
  await screenshots(page, `state-${name}`);
}

describe('every state of a request has a page of its own, in Chromium', () => {
  it('a status read that fails (503) is not an answer: the page says it retries, then shows the state', async () => {
    const { cognito } = stackClients(stack);
    const { requestId } = await started(stack, await createUser(cognito, stack), false);
    let refused = 0;
    await page.route(`**/recoveries/${requestId}`, async (route) => {
      if (refused < 2) {
        refused += 1;
        return route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: '{"error":"TEMPORARILY_UNAVAILABLE"}',
        });
      }
      return route.continue();
    });
    await page.goto(`${stack.apiUrl}/recover/${requestId}`);
    await expect.poll(() => page.locator('#state').textContent()).toContain('Trying again');
    // The code form shows only once the state was read.
    await page.locator('#confirm-form').waitFor({ state: 'visible', timeout: 45_000 });
    expect(refused).toBe(2);
    await page.unroute(`**/recoveries/${requestId}`);
  });

  it('LOCKED, CANCELLED, DENIED and FAILED (a stopped request) each say what happened and where to get help', async () => {
    const { cognito, sfn } = stackClients(stack);
    const locked = await started(stack, await createUser(cognito, stack), false);
    for (let i = 0; i < 5; i += 1)
      await locked.api.post(`/recoveries/${locked.requestId}/confirm`, { code: '00000000' });
    await statePage(stack, locked.requestId, 'This request is locked', 'locked');

    const cancelled = await started(stack, await createUser(cognito, stack), false);
    const token = cancelTokenFrom(cancelled.email);
    expect((await cancelled.api.post(`/recoveries/${cancelled.requestId}/cancel`, { token })).status).toBe(
      200,
    );
    await statePage(stack, cancelled.requestId, 'This request was cancelled', 'cancelled');

    const denied = await started(stack, await createUser(cognito, stack, { groups: ['admins'] }), true);
    await waitForStatus(denied.api, denied.requestId, 'AWAITING_APPROVAL');
    await statePage(stack, denied.requestId, 'Waiting for our support team', 'awaiting-approval');
    expect((await decide(denied.api, denied.requestId, 'deny', await staffToken(stack, 'sam'))).status).toBe(
      200,
    );
    await statePage(stack, denied.requestId, 'This request was declined', 'denied');
    expect(await page.locator('.support-contact').textContent()).toContain('help@example.com');

    const stopped = await started(stack, await createUser(cognito, stack), false);
    await sfn.send(
      new StopExecutionCommand({
        executionArn: `${stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${stopped.requestId}`,
      }),
    );
    await statePage(stack, stopped.requestId, 'This request could not be completed', 'failed');
  }, 120_000);

  it('COOLING_DOWN gives the time of the removal and the way to cancel', async () => {
    const info = cooling.current.info;
    const { cognito } = stackClients(info);
    const admin = await createUser(cognito, info, { groups: ['admins'] });
    const request = await started(info, admin, true);
    await waitForStatus(request.api, request.requestId, 'AWAITING_APPROVAL');
    expect(
      (await decide(request.api, request.requestId, 'approve', await staffToken(info, 'sam'))).status,
    ).toBe(200);
    await statePage(info, request.requestId, 'Approved: removal scheduled', 'cooling-down');
    expect(await page.locator('#state').textContent()).toMatch(/will be removed at .+cancel link/);
  }, 120_000);
});
