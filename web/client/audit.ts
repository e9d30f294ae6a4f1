/// <reference lib="dom" />
// The audit viewer: search, a timeline per request, exports and chain verification.

import { element } from './dom';
import { staffSession } from './staff-session';

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
}

export function auditViewer(main: HTMLElement): void {
  const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const trail = byId<HTMLElement>('trail');
  const state = byId<HTMLElement>('trail-state');
  const timelines = byId<HTMLElement>('timelines');
  const searchError = byId<HTMLElement>('search-error');
  const field = (id: string) => byId<HTMLInputElement>(id).value.trim();
  const session = staffSession(
    main,
    (username) => {
      byId<HTMLElement>('staff-name').textContent = username;
      trail.hidden = false;
    },
    () => {
      trail.hidden = true;
      timelines.replaceChildren();
    },
  );

  /** The search as query parameters; dates are whole UTC days. */
  function query(): URLSearchParams {
    const params = new URLSearchParams();
    if (field('q-username')) params.set('username', field('q-username'));
    if (field('q-request')) params.set('requestId', field('q-request'));
    if (field('q-from')) params.set('from', field('q-from'));
    if (field('q-to')) params.set('to', field('q-to'));
    return params;
  }

  function explain(status: number, json: Record<string, unknown>): string {
    if (status === 403) return 'Your account is not in the auditor group.';
    if (status === 400) {
      const fields = (json.fields as { path: string; message: string }[] | undefined) ?? [];
      return `Check the search: ${fields.map((f) => `${f.path} ${f.message}`).join('; ') || 'it is not valid'}.`;
    }
    return 'The trail could not be read. Try again in a moment.';
  }

  function timeline(requestId: string, events: TrailEvent[]): HTMLElement {
    const ordered = [...events].sort((a, b) => a.seq - b.seq);
    const end = ordered.find((e) => e.terminal);
    const section = element('section', undefined, { class: 'request-trail' });
    section.setAttribute('aria-label', `Request ${requestId}`);
    section.append(
      element('h3', `${ordered[0]?.username ?? 'unknown user'}: ${end?.terminal ?? 'not ended yet'}`),
    );
    section.append(element('p', `Request ${requestId}`, { class: 'hint' }));
    const list = element('ol', undefined, { class: 'timeline' });
    for (const event of ordered) {
      const item = element('li', undefined, {
        class: event.terminal ? 'end' : event.actor.startsWith('support:') ? 'person' : '',
      });
      item.append(element('time', new Date(event.at).toLocaleString()));
      item.append(element('strong', ` ${event.type}`));
      item.append(element('span', ` by ${event.actor}`));
      const notes = [event.outcome, ...(event.reasons ?? [])].filter(Boolean).join(', ');
      if (notes) item.append(element('span', ` (${notes})`, { class: 'hint' }));
      list.append(item);
    }
    section.append(list);
    return section;
  }

  byId<HTMLFormElement>('search-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    searchError.hidden = true;
    state.textContent = 'Searching…';
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
    const byRequest = new Map<string, TrailEvent[]>();
    for (const e of events) byRequest.set(e.requestId, [...(byRequest.get(e.requestId) ?? []), e]);
    timelines.replaceChildren(...[...byRequest].map(([id, list]) => timeline(id, list)));
    state.textContent = `${events.length} events of ${byRequest.size} requests${cursor ? ' (the first 1,000; narrow the search)' : ''}.`;
  });

  async function download(format: 'csv' | 'jsonl') {
    state.textContent = 'Exporting…';
    const params = query();
    params.delete('username');
    params.delete('requestId');
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
    const link = element('a');
    link.href = URL.createObjectURL(
      new Blob(parts, { type: format === 'csv' ? 'text/csv' : 'application/x-ndjson' }),
    );
    link.download = `audit.${format}`;
    link.click();
    URL.revokeObjectURL(link.href);
    state.textContent = `Exported audit.${format}.`;
  }

  byId<HTMLButtonElement>('export-csv').addEventListener('click', () => void download('csv'));
  byId<HTMLButtonElement>('export-jsonl').addEventListener('click', () => void download('jsonl'));
  byId<HTMLButtonElement>('verify').addEventListener('click', async () => {
    state.textContent = 'Verifying…';
    const params = query();
    params.delete('username');
    params.delete('requestId');
    const { status, json } = await session.api('GET', `/audit/verify?${params}`);
    if (status !== 200) {
      state.textContent = explain(status, json);
      return;
    }
    const broken = json.firstBreak as { where: string; kind: string; detail: string } | undefined;
    state.textContent = broken
      ? `BROKEN at ${broken.where}: ${broken.kind}. ${broken.detail}`
      : `Intact: ${json.checkedEvents} events of ${json.checkedRequests} requests over ${json.checkedDays} days.`;
  });
}
