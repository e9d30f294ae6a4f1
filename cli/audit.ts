import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Command } from 'commander';
import { createAuditReader } from '../functions/adapters/audit-reader';
import { AUDIT_EVENT_TYPES } from '../functions/domain/audit-event-types';
import type { AuditSummary } from '../functions/domain/audit-summary';
import { auditRange, verifyAuditTrail } from '../functions/use-cases/audit-trail';
import { apiClient } from './api-client';
import { CliError } from './errors';
import { type CliIo, table } from './output';
import { signInStaff } from './sign-in';
import { LOCAL_CREDENTIALS, readLocalStack, resolveTarget, type TargetOptions } from './target';

const AUDITOR_GROUP = 'mfa-recovery-auditor';

type CommonOptions = TargetOptions & { readonly json?: boolean; readonly stackFile?: string };

interface AuditorEvent {
  readonly at: string;
  readonly requestId: string;
  readonly seq: number;
  readonly type: string;
  readonly actor: string;
  readonly username?: string;
  readonly outcome?: string;
  readonly reasons?: readonly string[];
}

/** A date or time option, checked here so a typo says what to change before anything is called. */
function instant(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new CliError(
      `${name} must be a date (2026-11-22) or a UTC time (2026-11-22T10:00:00Z), got "${value}"`,
      2,
    );
  }
  return value;
}

/** The search options `list` and `export` share, checked before anything is called. */
function searchFilters(local: Record<string, string | undefined>) {
  if (local.type !== undefined && !(AUDIT_EVENT_TYPES as readonly string[]).includes(local.type)) {
    throw new CliError(`--type must be one of ${AUDIT_EVENT_TYPES.join(', ')}; got "${local.type}"`, 2);
  }
  return {
    username: local.user,
    userSub: local.userSub,
    requestId: local.requestId,
    type: local.type,
    from: instant('--from', local.from),
    to: instant('--to', local.to),
  };
}

/** The options of `searchFilters`. */
function withSearchOptions(command: Command): Command {
  return command
    .option('--user <username>', 'events about this account')
    .option('--user-sub <sub>')
    .option('--request-id <id>')
    .option('--type <type>', 'an event type, for example TotpRemoved')
    .option('--from <date>')
    .option('--to <date>');
}

/** Query parameters without the options not given. */
const queryOf = (values: Record<string, string | undefined>) =>
  new URLSearchParams(
    Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );

const seconds = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);

async function connect(command: Command, io: CliIo) {
  const options = command.optsWithGlobals<CommonOptions>();
  const target = resolveTarget(options, AUDITOR_GROUP, io.env, io.cwd);
  return { options, api: apiClient(target.apiUrl, await signInStaff(target)) };
}

/** `totp-recovery audit list|export|summary|verify`. */
export function registerAuditCommands(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('review the audit trail (group mfa-recovery-auditor)');

  withSearchOptions(
    audit
      .command('list')
      .description('events, newest first, by user, request, type or date range (default: the last 30 days)'),
  )
    .option('--limit <n>', 'at most this many (1-10000)', '100')
    .action(async (local: Record<string, string | undefined>, command: Command) => {
      const limit = Number(local.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
        throw new CliError(`--limit must be a whole number from 1 to 10000, got "${local.limit}"`, 2);
      }
      const filters = searchFilters(local);
      const { options, api } = await connect(command, io);
      const items: AuditorEvent[] = [];
      let cursor: string | undefined;
      do {
        const query = queryOf({ ...filters, limit: String(Math.min(100, limit - items.length)), cursor });
        const page = (await api.call('GET', `/audit/events?${query}`)).json as {
          items: AuditorEvent[];
          cursor?: string;
        };
        items.push(...page.items);
        cursor = page.cursor;
      } while (cursor && items.length < limit);
      if (options.json) return io.out(JSON.stringify({ items }, null, 2));
      if (items.length === 0) return io.out('No events.');
      io.out(
        table(
          ['AT', 'REQUEST', 'SEQ', 'TYPE', 'ACTOR', 'USER', 'OUTCOME', 'REASONS'],
          items.map((e) => [
            e.at,
            e.requestId,
            String(e.seq),
            e.type,
            e.actor,
            e.username ?? '',
            e.outcome ?? '',
            (e.reasons ?? []).join(' '),
          ]),
        ),
      );
    });

  withSearchOptions(
    audit
      .command('export')
      .description(
        'every event of the search (a date range, and a user, request or type) as JSON lines or CSV, to a file or stdout',
      ),
  )
    .option('--format <format>', 'jsonl or csv', 'jsonl')
    .option('--output <file>', 'write here instead of stdout')
    .action(async (local: Record<string, string | undefined>, command: Command) => {
      const format = local.format ?? 'jsonl';
      if (format !== 'jsonl' && format !== 'csv')
        throw new CliError(`--format must be jsonl or csv, got "${format}"`, 2);
      const filters = searchFilters(local);
      const { api } = await connect(command, io);
      const file = local.output ? createWriteStream(resolve(io.cwd, local.output)) : undefined;
      let cursor: string | undefined;
      let first = true;
      let lines = 0;
      do {
        const query = queryOf({ ...filters, format, cursor });
        // Pages of up to 5,000 events, written as they come: memory stays bounded.
        const response = await api.response(`/audit/export?${query}`);
        let text = await response.text();
        // Every page of a CSV export starts with the header; keep the first only.
        if (format === 'csv' && !first) text = text.slice(text.indexOf('\n') + 1);
        first = false;
        lines += text.split('\n').filter(Boolean).length;
        if (file) {
          if (!file.write(text)) await once(file, 'drain');
        } else if (text) io.out(text.replace(/\n$/, ''));
        cursor = response.headers.get('x-next-cursor') ?? undefined;
      } while (cursor);
      if (file) {
        file.end();
        await once(file, 'finish');
        io.err(`wrote ${lines} lines to ${local.output}`);
      }
    });

  audit
    .command('summary')
    .description('what ended in a date range, by outcome, and how long it took (default: the last 30 days)')
    .option('--from <date>')
    .option('--to <date>')
    .action(async (local: Record<string, string | undefined>, command: Command) => {
      const range = { from: instant('--from', local.from), to: instant('--to', local.to) };
      const { options, api } = await connect(command, io);
      const summary = (await api.call('GET', `/audit/summary?${queryOf(range)}`))
        .json as unknown as AuditSummary;
      if (options.json) return io.out(JSON.stringify(summary, null, 2));
      const { denialShare: denials, timeToComplete: done, approvalTurnaround: turnaround } = summary;
      io.out(`${summary.ended} requests ended from ${summary.from} to ${summary.to}.`);
      io.out(
        table(
          ['OUTCOME', 'REQUESTS'],
          Object.entries(summary.byOutcome).map(([outcome, count]) => [outcome, String(count)]),
        ),
      );
      io.out(
        table(
          ['FIGURE', 'COUNT', 'MEDIAN', 'P95'],
          [
            ['time to complete', String(done.count), seconds(done.medianMs), seconds(done.p95Ms)],
            [
              'approval turnaround',
              String(turnaround.count),
              seconds(turnaround.medianMs),
              seconds(turnaround.p95Ms),
            ],
          ],
        ),
      );
      io.out(
        `denied ${denials.denied} of ${denials.decided} support decisions${
          denials.share === null ? '' : ` (${(denials.share * 100).toFixed(1)}%)`
        }; ${summary.locks} locked, ${summary.cancels} cancelled.`,
      );
    });

  audit
    .command('verify')
    .description(
      'recompute every hash chain of a date range straight from the audit table (default: the last 30 days)',
    )
    .option('--from <date>')
    .option('--to <date>')
    .option('--table <name>', 'a deployed stack: the audit table (read with your own AWS credentials)')
    .action(async (local: Record<string, string | undefined>, command: Command) => {
      const options = command.optsWithGlobals<CommonOptions>();
      const range = auditRange({ from: instant('--from', local.from), to: instant('--to', local.to) });
      let client: DynamoDBClient;
      let tableName: string;
      if (local.table) {
        if (!options.region) throw new CliError('with --table, also pass --region', 2);
        client = new DynamoDBClient({ region: options.region });
        tableName = local.table;
      } else {
        const stack = readLocalStack(options.stackFile, io.cwd, '--table and --region');
        client = new DynamoDBClient({
          region: stack.region,
          endpoint: stack.endpoints.dynamodb,
          credentials: LOCAL_CREDENTIALS,
        });
        tableName = stack.tables.audit;
      }
      try {
        const reader = createAuditReader(DynamoDBDocumentClient.from(client), tableName);
        const report = await verifyAuditTrail(range, reader);
        if (options.json) io.out(JSON.stringify(report, null, 2));
        else if (report.ok) {
          io.out(
            `OK: ${report.checkedEvents} events of ${report.checkedRequests} requests over ${report.checkedDays} days verify (${range.from} to ${range.to}).`,
          );
          if (report.awaitingDayLink > 0) {
            io.out(
              `${report.awaitingDayLink} request(s) of the last 24 hours not yet in their day's chain: until linked (from the audit stream, normally within seconds), deleting one whole would not show.`,
            );
          }
        }
        if (!report.ok) {
          throw new CliError(
            `BROKEN at ${report.firstBreak?.where}: ${report.firstBreak?.kind}: ${report.firstBreak?.detail}`,
          );
        }
      } catch (error) {
        if (error instanceof CliError) throw error;
        throw new CliError(`cannot read ${tableName}: ${(error as Error).name}`);
      } finally {
        client.destroy();
      }
    });
}
