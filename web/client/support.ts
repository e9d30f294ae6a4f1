/// <reference lib="dom" />
// The support console: the queue of requests waiting for support, and decisions.

import type { ApprovalSummary } from '../../functions/adapters/approval-store';
import { element } from './dom';
import { staffSession } from './staff-session';

/** A row of GET /support/approvals. */
type ApprovalItem = ApprovalSummary;

const REASON_TEXT: Record<string, (detail: string) => string> = {
  LOST_PASSWORD: () => 'also lost the password',
  PRIVILEGED_GROUP: (groups) => `member of a privileged group (${groups})`,
  RECENT_RECOVERY: (days) => `recovered another authenticator in the last ${days.replace('d', ' days')}`,
  REPEATED_REQUESTS: (count) => `${count} requests within the rate-limit window`,
  NEW_ACCOUNT: (days) => `account created less than ${days.replace('d', ' days')} ago`,
  FAILED_PASSWORDS: (count) => `${count} wrong passwords before this request`,
  EMAIL_CHANGED: (days) => `email address changed in the last ${days.replace('d', ' days')}`,
};

/** A risk reason code (`NEW_ACCOUNT:7d`) in words, keeping the code for people who search by it. */
function reasonText(reason: string): string {
  const [code = '', detail = ''] = reason.split(/:(.*)/s);
  const text = REASON_TEXT[code]?.(detail);
  return text ? `${text} (${reason})` : reason;
}

const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

export function supportConsole(main: HTMLElement): void {
  const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const queue = byId<HTMLElement>('queue');
  const list = byId<HTMLUListElement>('approvals');
  const queueState = byId<HTMLElement>('queue-state');
  const filter = byId<HTMLSelectElement>('status-filter');
  const more = byId<HTMLButtonElement>('more');
  let cursor: string | undefined;
  const session = staffSession(
    main,
    (username) => {
      byId<HTMLElement>('staff-name').textContent = username;
      queue.hidden = false;
      void load(true);
    },
    () => {
      queue.hidden = true;
      list.replaceChildren();
    },
  );
  const api = session.api;

  async function load(fresh: boolean) {
    if (fresh) {
      cursor = undefined;
      list.replaceChildren();
    }
    queueState.textContent = 'Loading…';
    const query = new URLSearchParams({ status: filter.value, limit: '25' });
    if (cursor) query.set('cursor', cursor);
    const { status, json } = await api('GET', `/support/approvals?${query}`);
    if (status === 401) return;
    if (status === 403) {
      queueState.textContent = 'Your account is not in the support group: you cannot review requests.';
      return;
    }
    if (status !== 200) {
      queueState.textContent = 'The list could not be loaded. Try again in a moment.';
      return;
    }
    const items = (json.items as ApprovalItem[] | undefined) ?? [];
    for (const item of items) list.append(card(item));
    cursor = typeof json.cursor === 'string' ? json.cursor : undefined;
    more.hidden = !cursor;
    const shown = list.children.length;
    queueState.textContent =
      shown === 0 ? 'Nothing here.' : `${shown} ${shown === 1 ? 'request' : 'requests'} shown.`;
  }

  function card(item: ApprovalItem): HTMLLIElement {
    const li = element('li', undefined, { class: 'approval' });
    const headingId = `request-${item.requestId}`;
    li.append(element('h3', item.username, { id: headingId }));
    const facts = element('dl');
    const approvals = `${item.approvers.length} of ${item.requiredApprovals}`;
    for (const [term, value] of [
      ['Request', item.requestId],
      ['Requested', when(item.requestedAt)],
      ['Email code confirmed', when(item.confirmedAt)],
      ['Approvals', item.approvers.length ? `${approvals} (${item.approvers.join(', ')})` : approvals],
    ]) {
      facts.append(element('dt', term), element('dd', value));
    }
    li.append(facts);
    const reasons = item.risk?.reasons ?? [];
    li.append(element('p', `Risk ${item.risk?.level ?? 'unknown'}${reasons.length ? ', because:' : ''}`));
    if (reasons.length) {
      const ul = element('ul', undefined, { class: 'reasons' });
      for (const reason of reasons) ul.append(element('li', reasonText(reason)));
      li.append(ul);
    }
    const outcome = element('p', undefined, { class: 'decision', role: 'status' });
    if (item.status === 'PENDING') li.append(decisionForm(item, outcome, headingId));
    else outcome.textContent = item.status === 'APPROVED' ? 'Approved.' : 'Denied.';
    li.append(outcome);
    return li;
  }

  function decisionForm(item: ApprovalItem, outcome: HTMLElement, headingId: string): HTMLFormElement {
    const decision = element('form', undefined, { 'aria-labelledby': headingId, novalidate: '' });
    const fieldId = `reason-${item.requestId}`;
    const errorId = `reason-error-${item.requestId}`;
    const field = element('div', undefined, { class: 'field' });
    const reason = element('textarea', undefined, {
      id: fieldId,
      rows: '2',
      maxlength: '500',
      'aria-describedby': errorId,
    });
    const error = element('p', undefined, { class: 'error', id: errorId });
    error.hidden = true;
    field.append(
      element('label', 'Reason for your decision (kept in the audit trail)', { for: fieldId }),
      reason,
      error,
    );
    const approve = element('button', 'Approve', { type: 'submit', value: 'approve' });
    const deny = element('button', 'Deny', { type: 'submit', value: 'deny', class: 'secondary' });
    decision.append(field, approve, ' ', deny);
    decision.addEventListener('submit', async (event) => {
      event.preventDefault();
      const verb = (event.submitter as HTMLButtonElement | null)?.value === 'deny' ? 'deny' : 'approve';
      const text = reason.value.trim();
      error.hidden = text.length >= 3;
      error.textContent = text.length >= 3 ? '' : 'Say why, in a few words.';
      reason.setAttribute('aria-invalid', text.length >= 3 ? 'false' : 'true');
      if (text.length < 3) return reason.focus();
      approve.disabled = true;
      deny.disabled = true;
      const { status, json } = await api(
        'POST',
        `/support/approvals/${encodeURIComponent(item.requestId)}/${verb}`,
        { reason: text },
      );
      if (status === 200) {
        const result = String(json.status);
        outcome.textContent =
          result === 'PENDING'
            ? `Your approval is recorded: ${json.approvals} of ${json.requiredApprovals}. Another person must approve too.`
            : result === 'APPROVED'
              ? 'Approved. The authenticator will be removed and the user told.'
              : 'Denied. The authenticator stays and the user is told.';
        decision.remove();
        return;
      }
      approve.disabled = false;
      deny.disabled = false;
      outcome.textContent =
        status === 409
          ? 'Someone else decided this request already. Reload the list.'
          : status === 403
            ? String(json.message ?? 'You may not decide this request.')
            : status === 404
              ? 'This request is no longer waiting for a decision.'
              : 'The decision was not recorded. Try again in a moment.';
    });
    return decision;
  }

  filter.addEventListener('change', () => void load(true));
  more.addEventListener('click', () => void load(false));
}
