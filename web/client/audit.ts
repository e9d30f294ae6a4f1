/// <reference lib="dom" />
// The audit viewer: an overview of a range, search, a sortable table of requests, a timeline per
// request, exports that follow the search, and a verification report to attach to an audit.

import { AUDIT_EVENT_TYPES } from '../../functions/domain/audit-event-types';
import type { AuditSummary, DurationFigures } from '../../functions/domain/audit-summary';
import { TERMINAL_OUTCOMES, type TerminalOutcome } from '../../functions/domain/recovery-state';
import type { VerifyReport } from '../../functions/use-cases/audit-trail';
import { element } from './dom';
import { language, t } from './i18n';
import { staffSession } from './staff-session';

const number = new Intl.NumberFormat(language);
const percent = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 });
const utcDay = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeZone: 'UTC' });
const shortUtcDay = new Intl.DateTimeFormat(language, { day: 'numeric', month: 'short', timeZone: 'UTC' });
// A zone name cannot go with dateStyle/timeStyle: the parts are spelled out.
const dateAndTime = {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
} as const;
const localTime = new Intl.DateTimeFormat(language, dateAndTime);
const utcTime = new Intl.DateTimeFormat(language, { ...dateAndTime, timeZone: 'UTC' });
const tableTime = new Intl.DateTimeFormat(language, {
  dateStyle: 'short',
  timeStyle: 'medium',
  timeZone: 'UTC',
});
const dayOf = (day: string) => utcDay.format(new Date(`${day}T00:00:00Z`));
const count = (value: number) => number.format(value);

/** A duration in the largest unit that keeps it readable: 45 s, 12.5 min, 3.2 h, 2.1 days. */
function duration(ms: number): string {
  const unit = (value: number, name: 'second' | 'minute' | 'hour' | 'day') =>
    new Intl.NumberFormat(language, {
      style: 'unit',
      unit: name,
      unitDisplay: 'short',
      maximumFractionDigits: value < 10 ? 1 : 0,
    }).format(value);
  const seconds = ms / 1000;
  if (seconds < 90) return unit(seconds, 'second');
  if (seconds < 90 * 60) return unit(seconds / 60, 'minute');
  if (seconds < 48 * 3600) return unit(seconds / 3600, 'hour');
  return unit(seconds / 86_400, 'day');
}

/** Every text the viewer shows, from the page's message catalog. */
const TEXT = {
  notAuditor: t('audit.notAuditor'),
  checkSearch: (fields: string) => t('audit.checkSearch', { fields: fields || t('audit.notValid') }),
  checkRange: (fields: string) => t('audit.checkRange', { fields: fields || t('audit.notValid') }),
  unreadable: t('audit.unreadable'),
  loadingOverview: t('audit.loadingOverview'),
  overviewRange: (from: string, to: string, ended: number) => t('audit.overviewRange', { from, to, ended }),
  byOutcome: t('audit.byOutcome'),
  timeToComplete: t('audit.timeToComplete'),
  approvalTurnaround: t('audit.approvalTurnaround'),
  durationFigures: (figures: DurationFigures) =>
    figures.medianMs === null || figures.p95Ms === null
      ? t('audit.noneMeasured')
      : t('audit.durationFigures', {
          median: duration(figures.medianMs),
          p95: duration(figures.p95Ms),
          count: figures.count,
        }),
  denialShare: t('audit.denialShare'),
  denialFigures: (denied: number, decided: number, share: number | null) =>
    share === null
      ? t('audit.noDecisions')
      : t('audit.denialFigures', { share: percent.format(share), denied, decided }),
  locks: t('audit.locks'),
  cancels: t('audit.cancels'),
  chartCaption: t('audit.chartCaption'),
  chartTitle: (from: string, to: string) => t('audit.chartTitle', { from, to }),
  chartDescription: (totals: string, busiest: string) =>
    [totals || t('audit.chartEmpty'), busiest, t('audit.chartTable')].filter(Boolean).join(' '),
  outcomeCount: (outcome: string, value: number) => t('audit.outcomeCount', { outcome, count: value }),
  busiestDay: (day: string, total: number) => t('audit.busiestDay', { day, total }),
  segment: (day: string, outcome: string, value: number) =>
    t('audit.segment', { day, outcome, count: value }),
  tableSummary: t('audit.tableSummary'),
  tableCaption: t('audit.tableCaption'),
  dayColumn: t('audit.dayColumn'),
  totalColumn: t('audit.totalColumn'),
  searching: t('audit.searching'),
  found: (events: number, requests: number, capped: boolean) =>
    t(capped ? 'audit.foundCapped' : 'audit.found', { events, requests }),
  requestsCaption: t('audit.requestsCaption'),
  columns: {
    startedAt: t('audit.column.startedAt'),
    username: t('audit.column.username'),
    requestId: t('audit.column.requestId'),
    outcome: t('audit.column.outcome'),
    proof: t('audit.column.proof'),
    sourceIp: t('audit.column.sourceIp'),
    events: t('audit.column.events'),
    lastAt: t('audit.column.lastAt'),
  },
  sortedBy: (column: string, ascending: boolean) =>
    t(ascending ? 'audit.sortedAscending' : 'audit.sortedDescending', { column }),
  inProgress: t('audit.inProgress'),
  unknownUser: t('audit.unknownUser'),
  notEnded: t('audit.notEnded'),
  requestLabel: (requestId: string) => t('audit.requestLabel', { requestId }),
  by: (actor: string) => ` ${t('audit.by', { actor })}`,
  ip: t('audit.ip'),
  userAgent: t('audit.userAgent'),
  proof: t('audit.proof'),
  details: t('audit.details'),
  exporting: t('audit.exporting'),
  exported: (file: string) => t('audit.exported', { file }),
  verifying: t('audit.verifying'),
  intact: (events: number, requests: number, days: number) => t('audit.intact', { events, requests, days }),
  broken: (where: string, kind: string, detail: string) => t('audit.broken', { where, kind, detail }),
  report: {
    result: t('audit.report.result'),
    intact: t('audit.report.intact'),
    broken: (where: string, kind: string) => t('audit.report.broken', { where, kind }),
    range: t('audit.report.range'),
    rangeValue: (from: string, to: string) => t('audit.report.rangeValue', { from, to }),
    verifiedAt: t('audit.report.verifiedAt'),
    verifiedBy: t('audit.report.verifiedBy'),
    days: t('audit.report.days'),
    requests: t('audit.report.requests'),
    events: t('audit.report.events'),
    firstBreak: t('audit.report.firstBreak'),
  },
  outcomes: {
    COMPLETED: t('audit.outcome.COMPLETED'),
    SIGN_OUT_INCOMPLETE: t('audit.outcome.SIGN_OUT_INCOMPLETE'),
    DENIED: t('audit.outcome.DENIED'),
    LOCKED: t('audit.outcome.LOCKED'),
    FAILED: t('audit.outcome.FAILED'),
    ABORTED: t('audit.outcome.ABORTED'),
    EXPIRED: t('audit.outcome.EXPIRED'),
    CANCELLED: t('audit.outcome.CANCELLED'),
    IGNORED: t('audit.outcome.IGNORED'),
  } satisfies Record<TerminalOutcome, string>,
} as const;

/**
 * What each outcome means at a glance: green done, red stopped or refused, grey ended by time or by
 * the user, amber done but not clean. The colour always goes with the outcome's words, never alone.
 */
const OUTCOMES: Readonly<
  Record<TerminalOutcome, { readonly label: string; readonly tone: 'good' | 'warn' | 'bad' | 'neutral' }>
> = {
  COMPLETED: { label: TEXT.outcomes.COMPLETED, tone: 'good' },
  SIGN_OUT_INCOMPLETE: { label: TEXT.outcomes.SIGN_OUT_INCOMPLETE, tone: 'warn' },
  DENIED: { label: TEXT.outcomes.DENIED, tone: 'bad' },
  LOCKED: { label: TEXT.outcomes.LOCKED, tone: 'bad' },
  FAILED: { label: TEXT.outcomes.FAILED, tone: 'bad' },
  ABORTED: { label: TEXT.outcomes.ABORTED, tone: 'bad' },
  EXPIRED: { label: TEXT.outcomes.EXPIRED, tone: 'neutral' },
  CANCELLED: { label: TEXT.outcomes.CANCELLED, tone: 'neutral' },
  IGNORED: { label: TEXT.outcomes.IGNORED, tone: 'neutral' },
};
/** Stacking order in the chart and order of the tiles: successes at the bottom. */
const OUTCOME_ORDER: readonly TerminalOutcome[] = [
  'COMPLETED',
  'SIGN_OUT_INCOMPLETE',
  'DENIED',
  'LOCKED',
  'FAILED',
  'ABORTED',
  'EXPIRED',
  'CANCELLED',
  'IGNORED',
];

const isOutcome = (value: string | undefined): value is TerminalOutcome =>
  (TERMINAL_OUTCOMES as readonly (string | undefined)[]).includes(value);

interface TrailEvent {
  readonly requestId: string;
  readonly seq: number;
  readonly type: string;
  readonly at: string;
  readonly actor: string;
  readonly username?: string;
  readonly outcome?: string;
  readonly reasons?: readonly string[];
  readonly terminal?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

/** One request found by the search, as a row of the table. */
interface RequestRow {
  readonly requestId: string;
  readonly username: string;
  readonly startedAt: string;
  readonly lastAt: string;
  readonly outcome?: TerminalOutcome;
  readonly proof: string;
  readonly sourceIp: string;
  readonly events: readonly TrailEvent[];
}

type Column = keyof typeof TEXT.columns;

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
  text?: string,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The outcome's words on its colour. */
function badge(outcome: TerminalOutcome): HTMLElement {
  return element('span', OUTCOMES[outcome].label, { class: `badge tone-${OUTCOMES[outcome].tone}` });
}

/** A step up from `value` that makes round axis ticks (1, 2, 5, 10, 20, 50...). */
function niceCeiling(value: number): number {
  if (value <= 5) return Math.max(1, value);
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((s) => s * magnitude >= value) ?? 10;
  return step * magnitude;
}

/** The stacked bars of recoveries per day, drawn at `width` pixels, with its text alternative. */
function perDayChart(summary: AuditSummary, width: number): SVGSVGElement {
  const height = 260;
  const margin = { top: 12, right: 12, bottom: 36, left: 44 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const days = summary.perDay;
  const top = niceCeiling(Math.max(0, ...days.map((d) => d.total)));
  const slot = plotWidth / Math.max(1, days.length);
  const barWidth = Math.max(1, slot * 0.75);
  const y = (value: number) => margin.top + plotHeight - (value / top) * plotHeight;
  const first = days[0]?.day ?? summary.from.slice(0, 10);
  const last = days.at(-1)?.day ?? summary.to.slice(0, 10);
  const busiest = [...days].sort((a, b) => b.total - a.total)[0];
  const totals = OUTCOME_ORDER.filter((o) => summary.byOutcome[o] > 0)
    .map((o) => TEXT.outcomeCount(OUTCOMES[o].label, summary.byOutcome[o]))
    .join(', ');

  const chart = svg('svg', {
    class: 'chart',
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-labelledby': 'chart-title',
    'aria-describedby': 'chart-desc',
  });
  chart.append(
    svg('title', { id: 'chart-title' }, TEXT.chartTitle(dayOf(first), dayOf(last))),
    svg(
      'desc',
      { id: 'chart-desc' },
      TEXT.chartDescription(
        totals ? `${totals}.` : '',
        busiest && busiest.total > 0 ? TEXT.busiestDay(dayOf(busiest.day), busiest.total) : '',
      ),
    ),
  );
  const axis = svg('g', { class: 'axis', 'aria-hidden': 'true' });
  for (const tick of [0, top / 2, top].filter((t) => Number.isInteger(t))) {
    axis.append(
      svg('line', { x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick), class: 'grid' }),
      svg('text', { x: margin.left - 6, y: y(tick) + 4, 'text-anchor': 'end' }, count(tick)),
    );
  }
  const labelled = new Set([0, Math.floor((days.length - 1) / 2), days.length - 1]);
  for (const [index, day] of days.entries()) {
    if (!labelled.has(index)) continue;
    const x = margin.left + slot * index + slot / 2;
    const anchor =
      index === 0 && days.length > 1 ? 'start' : index === days.length - 1 && index > 0 ? 'end' : 'middle';
    axis.append(
      svg(
        'text',
        {
          x: anchor === 'start' ? margin.left : anchor === 'end' ? width - margin.right : x,
          y: height - 12,
          'text-anchor': anchor,
        },
        shortUtcDay.format(new Date(`${day.day}T00:00:00Z`)),
      ),
    );
  }
  chart.append(axis);
  const bars = svg('g', { class: 'bars' });
  for (const [index, day] of days.entries()) {
    let base = 0;
    const x = margin.left + slot * index + (slot - barWidth) / 2;
    for (const outcome of OUTCOME_ORDER) {
      const value = day.byOutcome[outcome] ?? 0;
      if (value === 0) continue;
      const segment = svg('rect', {
        x,
        y: y(base + value),
        width: barWidth,
        height: y(base) - y(base + value),
        class: `segment outcome-${outcome}`,
      });
      segment.append(svg('title', {}, TEXT.segment(dayOf(day.day), OUTCOMES[outcome].label, value)));
      bars.append(segment);
      base += value;
    }
  }
  chart.append(bars);
  return chart;
}

/** The per-day figures as a table: the chart's text alternative, one column per outcome that occurred. */
function perDayTable(summary: AuditSummary): HTMLElement {
  const outcomes = OUTCOME_ORDER.filter((o) => summary.byOutcome[o] > 0);
  const table = element('table', undefined, { class: 'data' });
  table.append(element('caption', TEXT.tableCaption));
  const head = element('tr');
  head.append(element('th', TEXT.dayColumn, { scope: 'col' }));
  for (const o of outcomes) head.append(element('th', OUTCOMES[o].label, { scope: 'col' }));
  head.append(element('th', TEXT.totalColumn, { scope: 'col' }));
  const body = element('tbody');
  for (const day of summary.perDay) {
    const row = element('tr');
    row.append(element('th', dayOf(day.day), { scope: 'row' }));
    for (const o of outcomes) row.append(element('td', count(day.byOutcome[o] ?? 0)));
    row.append(element('td', count(day.total)));
    body.append(row);
  }
  const thead = element('thead');
  thead.append(head);
  table.append(thead, body);
  const scroll = element('div', undefined, { class: 'table-scroll', tabindex: '0', role: 'region' });
  scroll.setAttribute('aria-label', TEXT.tableCaption);
  scroll.append(table);
  return scroll;
}

/** Figures, tiles per outcome, the chart and its table. */
function overview(summary: AuditSummary, chartWidth: number): HTMLElement[] {
  const range = element(
    'p',
    TEXT.overviewRange(dayOf(summary.from.slice(0, 10)), dayOf(summary.to.slice(0, 10)), summary.ended),
    { class: 'overview-range' },
  );
  const tiles = element('ul', undefined, { class: 'tiles', 'aria-label': TEXT.byOutcome });
  for (const outcome of OUTCOME_ORDER) {
    const tile = element('li', undefined, {
      class: `tile tone-${OUTCOMES[outcome].tone}`,
      'data-outcome': outcome,
    });
    tile.append(
      element('span', count(summary.byOutcome[outcome]), { class: 'tile-value' }),
      element('span', OUTCOMES[outcome].label, { class: 'tile-label' }),
    );
    tiles.append(tile);
  }
  const figures = element('dl', undefined, { class: 'figures' });
  const figure = (term: string, value: string, id: string) => {
    const group = element('div', undefined, { id });
    group.append(element('dt', term), element('dd', value));
    figures.append(group);
  };
  figure(TEXT.timeToComplete, TEXT.durationFigures(summary.timeToComplete), 'figure-time-to-complete');
  figure(TEXT.approvalTurnaround, TEXT.durationFigures(summary.approvalTurnaround), 'figure-turnaround');
  const { denied, decided, share } = summary.denialShare;
  figure(TEXT.denialShare, TEXT.denialFigures(denied, decided, share), 'figure-denials');
  figure(TEXT.locks, count(summary.locks), 'figure-locks');
  figure(TEXT.cancels, count(summary.cancels), 'figure-cancels');

  const chartFigure = element('figure', undefined, { class: 'per-day', id: 'per-day' });
  chartFigure.append(element('figcaption', TEXT.chartCaption));
  chartFigure.append(perDayChart(summary, chartWidth));
  const legend = element('ul', undefined, { class: 'legend' });
  for (const outcome of OUTCOME_ORDER.filter((o) => summary.byOutcome[o] > 0)) {
    const item = element('li');
    const swatch = svg('svg', { width: 14, height: 14, 'aria-hidden': 'true', class: 'swatch' });
    swatch.append(svg('rect', { width: 14, height: 14, class: `segment outcome-${outcome}` }));
    item.append(swatch, element('span', OUTCOMES[outcome].label));
    legend.append(item);
  }
  chartFigure.append(legend);
  const details = element('details');
  details.append(element('summary', TEXT.tableSummary), perDayTable(summary));
  chartFigure.append(details);
  return [range, tiles, figures, chartFigure];
}

/** The requests among the events found, one row each. */
function requestRows(events: readonly TrailEvent[]): RequestRow[] {
  const byRequest = new Map<string, TrailEvent[]>();
  for (const e of events) byRequest.set(e.requestId, [...(byRequest.get(e.requestId) ?? []), e]);
  return [...byRequest].map(([requestId, list]) => {
    const ordered = [...list].sort((a, b) => a.seq - b.seq);
    const end = ordered.find((e) => e.terminal);
    return {
      requestId,
      username: ordered.find((e) => e.username)?.username ?? '',
      startedAt: ordered[0]?.at ?? '',
      lastAt: ordered.at(-1)?.at ?? '',
      ...(isOutcome(end?.terminal) ? { outcome: end.terminal } : {}),
      proof: String(ordered.find((e) => e.details?.proof !== undefined)?.details?.proof ?? ''),
      sourceIp: ordered.find((e) => e.sourceIp)?.sourceIp ?? '',
      events: ordered,
    };
  });
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compareRows(column: Column): (a: RequestRow, b: RequestRow) => number {
  if (column === 'events') return (a, b) => a.events.length - b.events.length;
  if (column === 'outcome')
    return (a, b) =>
      collator.compare(
        a.outcome ? OUTCOMES[a.outcome].label : '',
        b.outcome ? OUTCOMES[b.outcome].label : '',
      );
  // ISO instants sort as text.
  return (a, b) => collator.compare(String(a[column]), String(b[column]));
}

export function auditViewer(main: HTMLElement): void {
  const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const view = byId<HTMLElement>('auditor-view');
  const state = byId<HTMLElement>('trail-state');
  const requests = byId<HTMLElement>('requests');
  const timelines = byId<HTMLElement>('timelines');
  const searchError = byId<HTMLElement>('search-error');
  const searchForm = byId<HTMLFormElement>('search-form');
  const overviewState = byId<HTMLElement>('overview-state');
  const overviewError = byId<HTMLElement>('overview-error');
  const overviewFigures = byId<HTMLElement>('overview-figures');
  const report = byId<HTMLElement>('verify-report');
  const field = (id: string) => byId<HTMLInputElement>(id).value.trim();
  const linked = new URLSearchParams(window.location.search);
  const typeSelect = byId<HTMLSelectElement>('q-type');
  for (const type of AUDIT_EVENT_TYPES) typeSelect.append(element('option', type, { value: type }));
  byId<HTMLInputElement>('q-request').value = linked.get('request') ?? '';
  byId<HTMLInputElement>('q-username').value = linked.get('username') ?? '';
  const today = new Date();
  byId<HTMLInputElement>('o-to').value = today.toISOString().slice(0, 10);
  byId<HTMLInputElement>('o-from').value = new Date(today.getTime() - 29 * 86_400_000)
    .toISOString()
    .slice(0, 10);

  let summary: AuditSummary | undefined;
  let rows: RequestRow[] = [];
  let sort: { column: Column; ascending: boolean } = { column: 'startedAt', ascending: false };
  let lastReport: VerifyReport | undefined;

  const session = staffSession(
    main,
    (username) => {
      byId<HTMLElement>('staff-name').textContent = username;
      view.hidden = false;
      void loadOverview();
      if (linked.get('request') || linked.get('username')) searchForm.requestSubmit();
    },
    () => {
      view.hidden = true;
      report.hidden = true;
      requests.replaceChildren();
      timelines.replaceChildren();
      overviewFigures.replaceChildren();
      summary = undefined;
    },
  );

  const fieldsOf = (json: Record<string, unknown>) =>
    ((json.fields as { path: string; message: string }[] | undefined) ?? [])
      .map((f) => `${f.path} ${f.message}`)
      .join('; ');

  function explain(status: number, json: Record<string, unknown>): string {
    if (status === 403) return TEXT.notAuditor;
    if (status === 400) return TEXT.checkSearch(fieldsOf(json));
    return TEXT.unreadable;
  }

  // The chart is drawn at the width it has, so its labels stay legible on a phone and on a desktop.
  const chartWidth = () => Math.max(280, Math.floor(overviewFigures.clientWidth || 640));
  let drawnWidth = 0;
  new ResizeObserver(() => {
    const width = chartWidth();
    if (summary && Math.abs(width - drawnWidth) > 24) {
      drawnWidth = width;
      const chart = overviewFigures.querySelector('svg.chart');
      chart?.replaceWith(perDayChart(summary, width));
    }
  }).observe(overviewFigures);

  async function loadOverview() {
    overviewError.hidden = true;
    overviewState.textContent = TEXT.loadingOverview;
    const params = new URLSearchParams();
    if (field('o-from')) params.set('from', field('o-from'));
    if (field('o-to')) params.set('to', field('o-to'));
    const { status, json } = await session.api('GET', `/audit/summary?${params}`);
    overviewState.textContent = '';
    if (status !== 200) {
      overviewError.textContent = status === 400 ? TEXT.checkRange(fieldsOf(json)) : explain(status, json);
      overviewError.hidden = false;
      return;
    }
    summary = json as unknown as AuditSummary;
    drawnWidth = chartWidth();
    overviewFigures.replaceChildren(...overview(summary, drawnWidth));
  }
  byId<HTMLFormElement>('range-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void loadOverview();
  });

  /** The search as query parameters; dates are whole UTC days. */
  function query(): URLSearchParams {
    const params = new URLSearchParams();
    if (field('q-username')) params.set('username', field('q-username'));
    if (field('q-request')) params.set('requestId', field('q-request'));
    if (typeSelect.value) params.set('type', typeSelect.value);
    if (field('q-from')) params.set('from', field('q-from'));
    if (field('q-to')) params.set('to', field('q-to'));
    return params;
  }

  function facts(event: TrailEvent): HTMLElement | undefined {
    const entries: [string, string][] = [];
    if (event.sourceIp) entries.push([TEXT.ip, event.sourceIp]);
    if (event.userAgent) entries.push([TEXT.userAgent, event.userAgent]);
    const { proof, ...rest } = event.details ?? {};
    if (proof !== undefined) entries.push([TEXT.proof, String(proof)]);
    const more = Object.entries(rest).map(([key, value]) => `${key}: ${String(value)}`);
    if (more.length > 0) entries.push([TEXT.details, more.join(', ')]);
    if (entries.length === 0) return undefined;
    const list = element('dl', undefined, { class: 'event-facts' });
    for (const [term, value] of entries) list.append(element('dt', term), element('dd', value));
    return list;
  }

  function timeline(row: RequestRow): HTMLElement {
    const section = element('section', undefined, { class: 'request-trail' });
    section.setAttribute('aria-label', TEXT.requestLabel(row.requestId));
    const heading = element('h3', `${row.username || TEXT.unknownUser}: `, { tabindex: '-1' });
    heading.append(
      row.outcome ? badge(row.outcome) : element('span', TEXT.notEnded, { class: 'badge tone-active' }),
    );
    section.append(heading);
    section.append(element('p', TEXT.requestLabel(row.requestId), { class: 'hint' }));
    const list = element('ol', undefined, { class: 'timeline' });
    for (const event of row.events) {
      const tone = isOutcome(event.terminal) ? ` end-${OUTCOMES[event.terminal].tone}` : '';
      const item = element('li', undefined, {
        class: event.terminal ? `end${tone}` : event.actor.startsWith('support:') ? 'person' : '',
      });
      item.append(element('time', localTime.format(new Date(event.at)), { datetime: event.at }));
      item.append(element('strong', ` ${event.type}`));
      item.append(element('span', TEXT.by(event.actor)));
      const notes = [event.outcome, ...(event.reasons ?? [])].filter(Boolean).join(', ');
      if (notes) item.append(element('span', ` (${notes})`, { class: 'hint' }));
      const more = facts(event);
      if (more) item.append(more);
      list.append(item);
    }
    section.append(list);
    return section;
  }

  function openTimeline(row: RequestRow, focus: boolean) {
    const section = timeline(row);
    timelines.replaceChildren(section);
    if (focus) (section.querySelector('h3') as HTMLElement).focus();
  }

  function renderTable() {
    const ordered = [...rows].sort(compareRows(sort.column));
    if (!sort.ascending) ordered.reverse();
    const table = element('table', undefined, { class: 'data requests-table' });
    table.append(element('caption', TEXT.requestsCaption));
    const head = element('tr');
    for (const column of Object.keys(TEXT.columns) as Column[]) {
      const th = element('th', undefined, { scope: 'col' });
      if (column === sort.column) th.setAttribute('aria-sort', sort.ascending ? 'ascending' : 'descending');
      const button = element('button', TEXT.columns[column], {
        type: 'button',
        class: 'sort',
        'data-column': column,
      });
      // The arrow is for the eye; aria-sort tells assistive technology.
      const mark = column === sort.column ? (sort.ascending ? ' ▲' : ' ▼') : ' ↕';
      button.append(element('span', mark, { class: 'sort-mark', 'aria-hidden': 'true' }));
      button.addEventListener('click', () => {
        sort = { column, ascending: sort.column === column ? !sort.ascending : true };
        renderTable();
        (requests.querySelector(`button[data-column="${column}"]`) as HTMLButtonElement | null)?.focus();
        state.textContent = TEXT.sortedBy(TEXT.columns[column], sort.ascending);
      });
      th.append(button);
      head.append(th);
    }
    const thead = element('thead');
    thead.append(head);
    const body = element('tbody');
    for (const row of ordered) {
      const tr = element('tr');
      const open = element('button', row.requestId, { type: 'button', class: 'link request-id' });
      open.addEventListener('click', () => openTimeline(row, true));
      const outcome = element('td');
      outcome.append(
        row.outcome ? badge(row.outcome) : element('span', TEXT.inProgress, { class: 'badge tone-active' }),
      );
      const requestCell = element('td');
      requestCell.append(open);
      tr.append(
        element('td', row.startedAt ? tableTime.format(new Date(row.startedAt)) : ''),
        element('td', row.username),
        requestCell,
        outcome,
        element('td', row.proof),
        element('td', row.sourceIp),
        element('td', count(row.events.length), { class: 'number' }),
        element('td', row.lastAt ? tableTime.format(new Date(row.lastAt)) : ''),
      );
      body.append(tr);
    }
    table.append(thead, body);
    const scroll = element('div', undefined, { class: 'table-scroll', tabindex: '0', role: 'region' });
    scroll.setAttribute('aria-label', TEXT.requestsCaption);
    scroll.append(table);
    requests.replaceChildren(scroll);
  }

  searchForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    searchError.hidden = true;
    state.textContent = TEXT.searching;
    const params = query();
    params.set('limit', '100');
    const events: TrailEvent[] = [];
    let cursor: string | undefined;
    do {
      if (cursor) params.set('cursor', cursor);
      const { status, json } = await session.api('GET', `/audit/events?${params}`);
      if (status !== 200) {
        state.textContent = '';
        searchError.textContent = explain(status, json);
        searchError.hidden = false;
        return;
      }
      events.push(...((json.items as TrailEvent[] | undefined) ?? []));
      cursor = typeof json.cursor === 'string' ? json.cursor : undefined;
    } while (cursor && events.length < 1000);
    rows = requestRows(events);
    renderTable();
    const wanted =
      rows.find((r) => r.requestId === linked.get('request')) ?? (rows.length === 1 ? rows[0] : undefined);
    if (wanted) openTimeline(wanted, false);
    else timelines.replaceChildren();
    state.textContent = TEXT.found(events.length, rows.length, cursor !== undefined);
  });

  function save(name: string, parts: BlobPart[], type: string) {
    const link = element('a');
    link.href = URL.createObjectURL(new Blob(parts, { type }));
    link.download = name;
    link.click();
    URL.revokeObjectURL(link.href);
  }

  async function download(format: 'csv' | 'jsonl') {
    state.textContent = TEXT.exporting;
    const params = query();
    params.set('format', format);
    const parts: string[] = [];
    let cursor: string | undefined;
    do {
      if (cursor) params.set('cursor', cursor);
      const { status, json, response } = await session.api('GET', `/audit/export?${params}`);
      if (status !== 200) {
        state.textContent = explain(status, json);
        return;
      }
      const text = await response.text();
      parts.push(format === 'csv' && parts.length > 0 ? text.slice(text.indexOf('\n') + 1) : text);
      cursor = response.headers.get('x-next-cursor') ?? undefined;
    } while (cursor);
    save(`audit.${format}`, parts, format === 'csv' ? 'text/csv' : 'application/x-ndjson');
    state.textContent = TEXT.exported(`audit.${format}`);
  }

  function showReport(verified: VerifyReport) {
    const list = byId<HTMLElement>('verify-facts');
    const broken = verified.firstBreak;
    const entries: [string, string][] = [
      [TEXT.report.result, broken ? TEXT.report.broken(broken.where, broken.kind) : TEXT.report.intact],
      [
        TEXT.report.range,
        TEXT.report.rangeValue(
          utcTime.format(new Date(verified.from)),
          utcTime.format(new Date(verified.to)),
        ),
      ],
      [TEXT.report.verifiedAt, utcTime.format(new Date(verified.verifiedAt))],
      [TEXT.report.verifiedBy, verified.verifiedBy ?? ''],
      [TEXT.report.days, count(verified.checkedDays)],
      [TEXT.report.requests, count(verified.checkedRequests)],
      [TEXT.report.events, count(verified.checkedEvents)],
      ...(broken ? [[TEXT.report.firstBreak, broken.detail] as [string, string]] : []),
    ];
    list.replaceChildren(...entries.flatMap(([term, value]) => [element('dt', term), element('dd', value)]));
    report.classList.toggle('broken', broken !== undefined);
    report.hidden = false;
  }

  byId<HTMLButtonElement>('export-csv').addEventListener('click', () => void download('csv'));
  byId<HTMLButtonElement>('export-jsonl').addEventListener('click', () => void download('jsonl'));
  byId<HTMLButtonElement>('verify').addEventListener('click', async () => {
    state.textContent = TEXT.verifying;
    const params = query();
    params.delete('username');
    params.delete('requestId');
    params.delete('type');
    const { status, json } = await session.api('GET', `/audit/verify?${params}`);
    if (status !== 200) {
      state.textContent = explain(status, json);
      return;
    }
    lastReport = json as unknown as VerifyReport;
    const broken = lastReport.firstBreak;
    state.textContent = broken
      ? TEXT.broken(broken.where, broken.kind, broken.detail)
      : TEXT.intact(lastReport.checkedEvents, lastReport.checkedRequests, lastReport.checkedDays);
    showReport(lastReport);
  });
  byId<HTMLButtonElement>('report-download').addEventListener('click', () => {
    if (!lastReport) return;
    save(
      `audit-verification-${lastReport.verifiedAt.slice(0, 10)}.json`,
      [`${JSON.stringify(lastReport, null, 2)}\n`],
      'application/json',
    );
  });
  byId<HTMLButtonElement>('report-print').addEventListener('click', () => window.print());
}
