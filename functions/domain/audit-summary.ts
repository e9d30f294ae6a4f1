import { TERMINAL_OUTCOMES, type TerminalOutcome } from './recovery-state';

/** The parts of an audit event the overview is computed from. */
export interface SummarizedEvent {
  readonly requestId: string;
  readonly seq: number;
  readonly type: string;
  readonly at: string;
  readonly outcome?: string;
  readonly terminal?: string;
}

/** What one request's events tell the overview: a few instants, so memory follows requests, not events. */
export interface RequestFacts {
  startedAt?: string;
  approvalRequestedAt?: string;
  decision?: { readonly kind: 'APPROVED' | 'DENIED'; readonly at: string };
  ended?: { readonly outcome: TerminalOutcome; readonly at: string };
}

/** Median and 95th percentile of a set of durations; null when nothing was measured. */
export interface DurationFigures {
  readonly count: number;
  readonly medianMs: number | null;
  readonly p95Ms: number | null;
}

/** The auditor's overview of a range (GET /audit/summary): what ended in it, and how long it took. */
export interface AuditSummary {
  readonly from: string;
  readonly to: string;
  /** Requests whose terminal record falls in the range. */
  readonly ended: number;
  /** Those requests by terminal outcome; every outcome is present, zero included. */
  readonly byOutcome: Readonly<Record<TerminalOutcome, number>>;
  /** Every UTC day of the range, oldest first; outcomes without a request that day are left out. */
  readonly perDay: readonly {
    readonly day: string;
    readonly total: number;
    readonly byOutcome: Readonly<Partial<Record<TerminalOutcome, number>>>;
  }[];
  /** COMPLETED requests: from the request's first record to its terminal record. */
  readonly timeToComplete: DurationFigures;
  /** Support decisions made in the range: from ApprovalRequested to the final approval or the denial. */
  readonly approvalTurnaround: DurationFigures;
  /** Denials among the support decisions made in the range; `share` is null without a decision. */
  readonly denialShare: { readonly denied: number; readonly decided: number; readonly share: number | null };
  readonly locks: number;
  readonly cancels: number;
}

/** Decision events: the final approval, a denial (and its pre-ADR-0006 form). */
const DENIAL_TYPES = new Set(['RecoveryDenied', 'Denied']);

const isOutcome = (value: string | undefined): value is TerminalOutcome =>
  (TERMINAL_OUTCOMES as readonly (string | undefined)[]).includes(value);

const earlier = (a: string | undefined, b: string) => (a !== undefined && a <= b ? a : b);

/**
 * Adds events to the facts of their requests. Adding the same event twice changes nothing, so a
 * request's whole chain can be added on top of the events already read.
 */
export function collectRequestFacts(
  events: Iterable<SummarizedEvent>,
  facts: Map<string, RequestFacts> = new Map(),
): Map<string, RequestFacts> {
  for (const event of events) {
    const request = facts.get(event.requestId) ?? {};
    facts.set(event.requestId, request);
    if (event.seq === 1) request.startedAt = event.at;
    if (event.type === 'ApprovalRequested')
      request.approvalRequestedAt = earlier(request.approvalRequestedAt, event.at);
    const decision =
      event.type === 'Approved' && event.outcome === 'APPROVED'
        ? 'APPROVED'
        : DENIAL_TYPES.has(event.type)
          ? 'DENIED'
          : undefined;
    if (decision && (!request.decision || event.at < request.decision.at))
      request.decision = { kind: decision, at: event.at };
    if (isOutcome(event.terminal) && (!request.ended || event.at < request.ended.at))
      request.ended = { outcome: event.terminal, at: event.at };
  }
  return facts;
}

const inRange = (at: string | undefined, range: { from: string; to: string }): at is string =>
  at !== undefined && at >= range.from && at <= range.to;

/**
 * Requests the overview counts whose earlier records were not among the events read: they started
 * before the range. Their whole chains complete the durations.
 */
export function requestsStartedBefore(
  facts: ReadonlyMap<string, RequestFacts>,
  range: { from: string; to: string },
): string[] {
  const incomplete: string[] = [];
  for (const [requestId, request] of facts) {
    const counted = inRange(request.ended?.at, range) || inRange(request.decision?.at, range);
    const decidedUnseen = request.decision !== undefined && request.approvalRequestedAt === undefined;
    if (counted && (request.startedAt === undefined || decidedUnseen)) incomplete.push(requestId);
  }
  return incomplete.sort();
}

/** The value at fraction `p` of sorted values, interpolated between neighbours (numpy's default). */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const position = p * (sorted.length - 1);
  const below = sorted[Math.floor(position)] as number;
  const above = sorted[Math.ceil(position)] as number;
  return Math.round(below + (above - below) * (position - Math.floor(position)));
}

function durations(values: number[]): DurationFigures {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, medianMs: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95) };
}

/** The UTC days from `from` to `to`, oldest first. */
function daysOf(range: { from: string; to: string }): string[] {
  const days: string[] = [];
  const last = Date.parse(range.to.slice(0, 10));
  for (let t = Date.parse(range.from.slice(0, 10)); t <= last; t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The overview of the requests that ended, and the decisions made, from `range.from` to `range.to` (ISO, inclusive). */
export function summarizeRequests(
  facts: ReadonlyMap<string, RequestFacts>,
  range: { from: string; to: string },
): AuditSummary {
  const byOutcome = Object.fromEntries(TERMINAL_OUTCOMES.map((outcome) => [outcome, 0])) as Record<
    TerminalOutcome,
    number
  >;
  const perDay = new Map(
    daysOf(range).map((day) => [
      day,
      { day, total: 0, byOutcome: {} as Partial<Record<TerminalOutcome, number>> },
    ]),
  );
  const completion: number[] = [];
  const turnaround: number[] = [];
  let ended = 0;
  let denied = 0;
  let decided = 0;
  for (const request of facts.values()) {
    if (request.ended && inRange(request.ended.at, range)) {
      const { outcome, at } = request.ended;
      ended += 1;
      byOutcome[outcome] += 1;
      const day = perDay.get(at.slice(0, 10));
      if (day) {
        day.total += 1;
        day.byOutcome[outcome] = (day.byOutcome[outcome] ?? 0) + 1;
      }
      if (outcome === 'COMPLETED' && request.startedAt)
        completion.push(Date.parse(at) - Date.parse(request.startedAt));
    }
    if (request.decision && inRange(request.decision.at, range)) {
      decided += 1;
      if (request.decision.kind === 'DENIED') denied += 1;
      if (request.approvalRequestedAt)
        turnaround.push(Date.parse(request.decision.at) - Date.parse(request.approvalRequestedAt));
    }
  }
  return {
    from: range.from,
    to: range.to,
    ended,
    byOutcome,
    perDay: [...perDay.values()],
    timeToComplete: durations(completion),
    approvalTurnaround: durations(turnaround),
    denialShare: { denied, decided, share: decided === 0 ? null : denied / decided },
    locks: byOutcome.LOCKED,
    cancels: byOutcome.CANCELLED,
  };
}

/** The overview of a range from its events (and, for requests that started before it, their whole chains). */
export const summarizeAuditEvents = (
  events: Iterable<SummarizedEvent>,
  range: { from: string; to: string },
) => summarizeRequests(collectRequestFacts(events), range);
