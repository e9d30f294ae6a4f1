import type { Command } from 'commander';
import type { ApprovalItem } from '../functions/use-cases/support-approval';
import { apiClient } from './api-client';
import { CliError } from './errors';
import { type CliIo, table } from './output';
import { signInStaff } from './sign-in';
import { resolveTarget, type TargetOptions } from './target';

const SUPPORT_GROUP = 'mfa-recovery-support';
const REQUEST_ID = /^[A-Za-z0-9_-]{22}$/;

type CommonOptions = TargetOptions & { readonly json?: boolean };

async function connect(command: Command, io: CliIo) {
  const options = command.optsWithGlobals<CommonOptions>();
  const target = resolveTarget(options, SUPPORT_GROUP, io.env, io.cwd);
  return { options, call: apiClient(target.apiUrl, await signInStaff(target)).call };
}

function checkedRequestId(requestId: string): string {
  if (!REQUEST_ID.test(requestId))
    throw new CliError(`"${requestId}" is not a request id (22 characters)`, 2);
  return requestId;
}

function checkedReason(reason: string | undefined): string {
  const text = (reason ?? '').trim();
  if (text.length < 3 || text.length > 500) {
    throw new CliError(
      '--reason is required: say why, in 3 to 500 characters (it goes to the audit trail)',
      2,
    );
  }
  return text;
}

/** `totp-recovery support list|approve|deny`: the support API for people and scripts. */
export function registerSupportCommands(program: Command, io: CliIo): void {
  const support = program
    .command('support')
    .description('review high-risk recovery requests (group mfa-recovery-support)');

  support
    .command('list')
    .description('requests waiting for a decision (or decided ones with --status)')
    .option('--status <status>', 'PENDING, APPROVED or DENIED', 'PENDING')
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .action(async (local: { status: string; limit: string }, command: Command) => {
      const status = local.status.toUpperCase();
      if (!['PENDING', 'APPROVED', 'DENIED'].includes(status)) {
        throw new CliError(`--status must be PENDING, APPROVED or DENIED, got "${local.status}"`, 2);
      }
      const limit = Number(local.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new CliError(`--limit must be a whole number from 1 to 1000, got "${local.limit}"`, 2);
      }
      const { options, call } = await connect(command, io);
      const items: ApprovalItem[] = [];
      let cursor: string | undefined;
      do {
        const query = new URLSearchParams({ status, limit: String(Math.min(100, limit - items.length)) });
        if (cursor) query.set('cursor', cursor);
        const page = (await call('GET', `/support/approvals?${query}`)).json as {
          items: ApprovalItem[];
          cursor?: string;
        };
        items.push(...page.items);
        cursor = page.cursor;
      } while (cursor && items.length < limit);
      if (options.json) return io.out(JSON.stringify({ items }, null, 2));
      if (items.length === 0) return io.out(`No ${status.toLowerCase()} requests.`);
      io.out(
        table(
          [
            'REQUEST',
            'USER',
            'RISK',
            'REASONS',
            'REQUESTED',
            'CONFIRMED',
            'APPROVALS',
            'DECIDE BY',
            'CLAIMED BY',
          ],
          items.map((item) => [
            item.requestId,
            item.username,
            item.risk?.level ?? '',
            (item.risk?.reasons ?? []).join(' '),
            item.requestedAt,
            item.confirmedAt ?? '',
            `${item.approvers.length}/${item.requiredApprovals}`,
            item.decideBy,
            item.claim?.active ? item.claim.by : '',
          ]),
        ),
      );
    });

  for (const verb of ['approve', 'deny'] as const) {
    support
      .command(`${verb} <requestId>`)
      .description(
        verb === 'approve'
          ? 'approve a request (removes the factor once enough approve)'
          : 'deny a request (the factor stays)',
      )
      .option('--reason <text>', 'why (required; recorded in the audit trail)')
      .option(
        '--check <item>',
        'an item of the verification checklist you checked, word for word (repeat for each)',
        (item: string, items: string[]) => [...items, item],
        [] as string[],
      )
      .action(async (requestId: string, local: { reason?: string; check: string[] }, command: Command) => {
        const id = checkedRequestId(requestId);
        const reason = checkedReason(local.reason);
        const { options, call } = await connect(command, io);
        const body = { reason, checklist: local.check };
        const result = (await call('POST', `/support/approvals/${id}/${verb}`, body)).json as {
          status: string;
          approvals?: number;
          requiredApprovals?: number;
        };
        if (options.json) return io.out(JSON.stringify({ requestId: id, ...result }, null, 2));
        const count =
          result.requiredApprovals !== undefined
            ? ` (${result.approvals}/${result.requiredApprovals} approvals)`
            : '';
        io.out(`${id}: ${result.status}${count}`);
      });
  }
}
