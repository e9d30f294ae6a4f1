import type { StoredAuditEvent } from '../adapters/audit-log';
import { type AuditCursor, type AuditQuery, type AuditReader, daysBetween } from '../adapters/audit-reader';
import {
  type AuditSummary,
  collectRequestFacts,
  type RequestFacts,
  requestsStartedBefore,
  summarizeRequests,
} from '../domain/audit-summary';
import {
  type ChainBreak,
  DAY_LINK_WINDOW_SECONDS,
  verifyDay,
  verifyRequestChain,
} from '../domain/audit-verify';

/** An event as auditors see it: the stored record without the table's own keys. */
export type AuditorEvent = Omit<StoredAuditEvent, 'pk' | 'sk' | 'userKey'>;

export const auditorView = ({
  pk: _pk,
  sk: _sk,
  userKey: _userKey,
  ...event
}: StoredAuditEvent): AuditorEvent => event;

/** One page of events, newest first. */
export async function listEvents(
  query: AuditQuery,
  page: { readonly limit: number; readonly cursor?: AuditCursor },
  reader: AuditReader,
) {
  const { items, next } = await reader.page(query, page.limit, page.cursor);
  return { items: items.map(auditorView), next };
}

export const CSV_COLUMNS = [
  'at',
  'requestId',
  'seq',
  'type',
  'actor',
  'username',
  'userSub',
  'outcome',
  'terminal',
  'reasons',
  'details',
  'sourceIp',
  'userAgent',
  'prevHash',
  'hash',
] as const;

/**
 * One CSV cell (RFC 4180 quoting). A cell a spreadsheet would run as a formula (=, +, -, @, tab,
 * carriage return first) gets a leading apostrophe: user agents and usernames come from outside.
 */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Events as export lines (header first for CSV), one at a time: memory does not grow with the range. */
export async function* exportLines(
  events: AsyncIterable<StoredAuditEvent>,
  format: 'csv' | 'jsonl',
): AsyncGenerator<string> {
  if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\n`;
  for await (const stored of events) {
    const event = auditorView(stored) as unknown as Record<string, unknown>;
    yield format === 'jsonl'
      ? `${JSON.stringify(event)}\n`
      : `${CSV_COLUMNS.map((column) => csvCell(event[column])).join(',')}\n`;
  }
}

const DAY_MS = 86_400_000;

/**
 * The time range of an audit query as ISO instants: a bare date `to` means the end of that day, a
 * bare date `from` its start, and without `from` the range is the 30 days before `to` (default: now).
 */
export function auditRange(
  query: { from?: string; to?: string },
  now = new Date(),
): { from: string; to: string } {
  const to = query.to ? (query.to.length === 10 ? `${query.to}T23:59:59.999Z` : query.to) : now.toISOString();
  const from = query.from ?? new Date(Date.parse(to) - 30 * DAY_MS).toISOString();
  return {
    from: new Date(Date.parse(from.length === 10 ? `${from}T00:00:00.000Z` : from)).toISOString(),
    to: new Date(Date.parse(to)).toISOString(),
  };
}

/** The state machine's TimeoutSeconds (10 days) plus a day for the terminal step's retries. */
const MAX_REQUEST_LIFETIME_MS = 11 * 86_400_000;

/** A verification as it can be attached to an audit report: what was checked, when, by whom, and the result. */
export interface VerifyReport {
  readonly ok: boolean;
  readonly from: string;
  readonly to: string;
  /** When the check finished. */
  readonly verifiedAt: string;
  /** The auditor who ran it (their username), when it ran through the API. */
  readonly verifiedBy?: string;
  readonly checkedDays: number;
  readonly checkedRequests: number;
  readonly checkedEvents: number;
  /**
   * Requests of the range not linked into their day's chain yet, all younger than the stream's record
   * age (DAY_LINK_WINDOW_SECONDS): until linked, a deletion of the whole request would not show.
   */
  readonly awaitingDayLink: number;
  readonly firstBreak?: ChainBreak;
}

/**
 * Recomputes every chain in the range: each day's chains (so a whole deleted request shows), then
 * every request that started in it. Stops at the first broken link and names it.
 */
export async function verifyAuditTrail(
  range: { from: string; to: string },
  reader: AuditReader,
  run: { readonly verifiedBy?: string; readonly clock?: () => Date } = {},
): Promise<VerifyReport> {
  const clock = run.clock ?? (() => new Date());
  // A request lives at most the execution's 10 days; one older without a terminal record lost its tail.
  const mustHaveEndedBefore = new Date(clock().getTime() - MAX_REQUEST_LIFETIME_MS).toISOString();
  let checkedRequests = 0;
  let checkedEvents = 0;
  let awaitingDayLink = 0;
  // Links are written from the stream: a request younger than its record age may not be linked yet.
  const linkDueBefore = new Date(clock().getTime() - DAY_LINK_WINDOW_SECONDS * 1000).toISOString();
  const days = daysBetween(range.from, range.to).reverse();
  const report = (firstBreak?: ChainBreak): VerifyReport => ({
    ok: firstBreak === undefined,
    from: range.from,
    to: range.to,
    verifiedAt: clock().toISOString(),
    ...(run.verifiedBy ? { verifiedBy: run.verifiedBy } : {}),
    checkedDays: days.length,
    checkedRequests,
    checkedEvents,
    awaitingDayLink,
    ...(firstBreak ? { firstBreak } : {}),
  });
  for (const day of days) {
    const [links, firsts] = await Promise.all([reader.dayLinks(day), reader.firstEventsOfDay(day)]);
    const dayBreak = verifyDay(day, links, firsts, linkDueBefore);
    if (dayBreak) return report(dayBreak);
    const linked = new Set(links.map((link) => link.requestId));
    awaitingDayLink += [...firsts.keys()].filter((requestId) => !linked.has(requestId)).length;
    for (const requestId of [...firsts.keys()].sort()) {
      const chain = await reader.requestChain(requestId);
      checkedRequests += 1;
      checkedEvents += chain.length;
      const chainBreak = verifyRequestChain(
        requestId,
        chain as unknown as Parameters<typeof verifyRequestChain>[1],
        mustHaveEndedBefore,
      );
      if (chainBreak) return report(chainBreak);
    }
  }
  return report();
}

/** Chains read at once when completing the requests that started before the range. */
const CHAIN_READS_AT_ONCE = 10;

/**
 * The overview of a range: every event of it, a page at a time, folded into a few facts per request;
 * then the whole chains of the requests that ended in it but started before it, for their durations.
 */
export async function summarizeAuditTrail(
  range: { from: string; to: string },
  reader: AuditReader,
): Promise<AuditSummary> {
  const facts = new Map<string, RequestFacts>();
  for await (const event of reader.stream(range)) collectRequestFacts([event], facts);
  const earlier = requestsStartedBefore(facts, range);
  for (let index = 0; index < earlier.length; index += CHAIN_READS_AT_ONCE) {
    const chains = await Promise.all(
      earlier.slice(index, index + CHAIN_READS_AT_ONCE).map((requestId) => reader.requestChain(requestId)),
    );
    collectRequestFacts(chains.flat(), facts);
  }
  return summarizeRequests(facts, range);
}
