import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../../cli/main';
import { freshSourceIp, httpClient } from '../support/http-client';
import { codeFrom, mailbox } from '../support/mailbox';
import { auditOf, waitForStatus, waitForTerminalRecord } from '../support/recoveries';
import { stackClients } from '../support/stack-clients';
import { createUser, signIn } from '../support/users';

const stack = inject('stack');
const { cognito, documents } = stackClients(stack);
const mail = mailbox(stack.endpoints.ses);
const stackFile = join(mkdtempSync(join(tmpdir(), 'totp-recovery-cli-')), 'stack.json');
writeFileSync(stackFile, JSON.stringify(stack));

/** Runs `totp-recovery` in-process against the shared stack and captures what it prints. */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--stack-file', stackFile, ...args], {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env,
    cwd: process.cwd(),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function pendingAdminRequest() {
  const admin = await createUser(cognito, stack, { groups: ['admins'] });
  const api = httpClient(stack.apiUrl, freshSourceIp());
  const { requestId } = (
    await api.post('/recoveries', { username: admin.username, password: admin.password })
  ).json as { requestId: string };
  const code = codeFrom(await mail.waitFor(admin.email, /code to remove/));
  await api.post(`/recoveries/${requestId}/confirm`, { code });
  await waitForStatus(api, requestId, 'AWAITING_APPROVAL');
  return { admin, api, requestId };
}

describe('the totp-recovery support CLI', () => {
  it('lists a pending request and completes its approval by two people, with no options to type', async () => {
    const { admin, api, requestId } = await pendingAdminRequest();

    const listed = await cli(['--json', 'support', 'list']);
    expect(listed.code).toBe(0);
    const item = (JSON.parse(listed.out) as { items: Record<string, unknown>[] }).items.find(
      (i) => i.requestId === requestId,
    );
    expect(item).toMatchObject({ username: admin.username, risk: { reasons: ['PRIVILEGED_GROUP:admins'] } });
    expect(listed.out).not.toMatch(/taskToken|codeHash/);

    const human = await cli(['support', 'list']);
    expect(human.out).toMatch(/^REQUEST +USER +RISK +REASONS/);
    expect(human.out).toMatch(new RegExp(`${requestId} +${admin.username} +HIGH +PRIVILEGED_GROUP:admins`));

    const first = await cli(['support', 'approve', requestId, '--reason', 'called the user back']);
    expect(first).toMatchObject({ code: 0, out: `${requestId}: PENDING (1/2 approvals)` });
    expect((await signIn(cognito, stack, admin)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    const second = await cli([
      '--username',
      'sara',
      'support',
      'approve',
      requestId,
      '--reason',
      'checked ID',
    ]);
    expect(second).toMatchObject({ code: 0, out: `${requestId}: APPROVED (2/2 approvals)` });

    expect(await waitForStatus(api, requestId)).toMatchObject({ status: 'COMPLETED' });
    const records = await waitForTerminalRecord(documents, stack, requestId);
    expect(records.filter((r) => r.type === 'Approved').map((r) => r.actor)).toEqual([
      'support:sam',
      'support:sara',
    ]);
  });

  it('denies with a reason, and says 409 when the request was decided already', async () => {
    const { api, requestId } = await pendingAdminRequest();
    expect((await cli(['support', 'deny', requestId, '--reason', 'mailbox looks taken over'])).out).toBe(
      `${requestId}: DENIED`,
    );
    const late = await cli(['--username', 'sara', 'support', 'approve', requestId, '--reason', 'too late']);
    expect(late.code).toBe(1);
    expect(late.err).toMatch(/someone decided this request already \(409 ALREADY_DECIDED\)/);
    expect(await waitForStatus(api, requestId)).toMatchObject({ status: 'DENIED' });
  });

  it('sends the checklist items checked with --check, and says which one is not on the checklist', async () => {
    const { requestId } = await pendingAdminRequest();
    const unknown = await cli([
      'support',
      'approve',
      requestId,
      '--reason',
      'called back',
      '--check',
      'Looked at the moon',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/\(400 INVALID_REQUEST\).*checklist\.0: not an item of the checklist/);
    const checked = 'Called the user back on the phone number in our HR system';
    const approved = await cli([
      'support',
      'approve',
      requestId,
      '--reason',
      'called back',
      '--check',
      checked,
    ]);
    expect(approved).toMatchObject({ code: 0, out: `${requestId}: PENDING (1/2 approvals)` });
    const records = await auditOf(documents, stack, requestId);
    const details = records.find((r) => r.type === 'Approved')?.details as { checklist: string };
    expect(JSON.parse(details.checklist)).toEqual([checked]);
    await cli(['--username', 'sara', 'support', 'deny', requestId, '--reason', 'cleaning up']);
  });

  it.each([
    [['support', 'approve', 'AAAAAAAAAAAAAAAAAAAAAA'], /--reason is required/],
    [['support', 'deny', 'not-an-id', '--reason', 'because'], /is not a request id/],
    [['support', 'list', '--status', 'MAYBE'], /--status must be PENDING, APPROVED or DENIED/],
    [['support', 'list', '--limit', '0'], /--limit must be a whole number/],
    [['--api-url', 'https://api.example.com', 'support', 'list'], /also pass --region and --client-id/],
    [
      [
        '--api-url',
        'http://api.example.com',
        '--region',
        'eu-west-1',
        '--client-id',
        'c',
        '--username',
        'u',
        'support',
        'list',
      ],
      /must be an https URL/,
    ],
    [['support', 'frobnicate'], /unknown command|too many arguments/],
  ])('exits 2 with what to change for %j', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
  });

  it('exits 1 when sign-in is refused or the account is not support staff, and says why', async () => {
    const wrong = await cli(['support', 'list'], { TOTP_RECOVERY_PASSWORD: 'Not-the-password-1' });
    expect(wrong).toMatchObject({ code: 1 });
    expect(wrong.err).toMatch(/sign-in refused for sam/);
    const auditor = await cli(['--username', 'audrey', 'support', 'list']);
    expect(auditor.code).toBe(1);
    expect(auditor.err).toMatch(/not allowed \(403 FORBIDDEN\)/);
  });

  it('runs as the installed `totp-recovery` command', async () => {
    const bin = resolve(import.meta.dirname, '../../bin/totp-recovery.mjs');
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [bin, '--stack-file', stackFile, '--json', 'support', 'list', '--status', 'DENIED'],
      { env: { PATH: process.env.PATH ?? '' } },
    );
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toMatchObject({ items: expect.any(Array) });
  });
});
