/// <reference lib="dom" />
// The support console: the queue of requests waiting for support, what each decision needs, claims
// and decisions.

import type { SignInEvent } from '../../functions/adapters/user-directory';
import type { EarlierRequest, Lookup, Unavailable } from '../../functions/use-cases/approval-context';
import type { ApprovalItem, ClaimView } from '../../functions/use-cases/support-approval';
import { element } from './dom';
import { language, t } from './i18n';
import { staffSession } from './staff-session';

/** The days of a rule's detail (`7d`) as a number. */
const days = (detail: string) => Number.parseInt(detail, 10) || 0;

// Every word this page shows, from the page's message catalog.
const TEXT = {
  /** Risk reason codes (`NEW_ACCOUNT:7d`) in words, from the code's detail. */
  reasons: {
    LOST_PASSWORD: () => t('support.reason.LOST_PASSWORD'),
    PRIVILEGED_GROUP: (groups) => t('support.reason.PRIVILEGED_GROUP', { groups }),
    RECENT_RECOVERY: (detail) => t('support.reason.RECENT_RECOVERY', { days: days(detail) }),
    REPEATED_REQUESTS: (count) => t('support.reason.REPEATED_REQUESTS', { count: Number(count) || 0 }),
    NEW_ACCOUNT: (detail) => t('support.reason.NEW_ACCOUNT', { days: days(detail) }),
    FAILED_PASSWORDS: (count) => t('support.reason.FAILED_PASSWORDS', { count: Number(count) || 0 }),
    EMAIL_CHANGED: (detail) => t('support.reason.EMAIL_CHANGED', { days: days(detail) }),
  } as Record<string, (detail: string) => string>,
  loading: t('support.loading'),
  notSupport: t('support.notSupport'),
  listFailed: t('support.listFailed'),
  nothing: t('support.nothing'),
  shown: (count: number) => t('support.shown', { count }),
  risk: (level: string, because: boolean) => t(because ? 'support.riskBecause' : 'support.risk', { level }),
  unknownRisk: t('support.unknownRisk'),
  none: t('support.none'),
  noDate: '—',
  term: {
    request: t('support.term.request'),
    requested: t('support.term.requested'),
    confirmed: t('support.term.confirmed'),
    proof: t('support.term.proof'),
    approvals: t('support.term.approvals'),
    audit: t('support.term.audit'),
    created: t('support.term.created'),
    modified: t('support.term.modified'),
    email: t('support.term.email'),
    phone: t('support.term.phone'),
    groups: t('support.term.groups'),
    mfa: t('support.term.mfa'),
    status: t('support.term.status'),
    wrongPasswords: t('support.term.wrongPasswords'),
    ip: t('support.term.ip'),
    userAgent: t('support.term.userAgent'),
  },
  heading: {
    account: t('support.heading.account'),
    client: t('support.heading.client'),
    earlier: t('support.heading.earlier'),
    signIns: t('support.heading.signIns'),
    decisions: t('support.heading.decisions'),
  },
  clientNote: t('support.clientNote'),
  auditLink: t('support.auditLink'),
  proof: {
    PASSWORD: t('support.proof.PASSWORD'),
    RECOVERY_CODE: t('support.proof.RECOVERY_CODE'),
    NONE: t('support.proof.NONE'),
  } as Record<string, string>,
  approvals: (count: number, required: number, approvers: readonly string[]) =>
    t(approvers.length ? 'support.approvalsBy' : 'support.approvals', {
      count,
      required,
      approvers: new Intl.ListFormat(language, { type: 'conjunction' }).format(approvers),
    }),
  waiting: (waited: string, total: string, by: string) => t('support.waiting', { waited, total, by }),
  timeUp: (at: string) => t('support.timeUp', { at }),
  created: (age: string, at: string) => t('support.created', { age, at }),
  contact: (masked: string, verified: boolean) =>
    t(verified ? 'support.contactVerified' : 'support.contactUnverified', { masked }),
  noContact: t('support.noContact'),
  mfa: {
    SOFTWARE_TOKEN_MFA: t('support.mfa.SOFTWARE_TOKEN_MFA'),
    SMS_MFA: t('support.mfa.SMS_MFA'),
    EMAIL_OTP: t('support.mfa.EMAIL_OTP'),
  } as Record<string, string>,
  mfaNow: (factors: string, preferred: string | undefined) =>
    preferred ? t('support.mfaPreferred', { factors, preferred }) : factors,
  noMfa: t('support.noMfa'),
  accountStatus: (status: string, enabled: boolean) =>
    enabled ? status : t('support.accountDisabled', { status }),
  wrongPasswords: (before: number | undefined, now: number) =>
    before === undefined
      ? t('support.wrongPasswordsNow', { now })
      : t('support.wrongPasswords', { before, now }),
  compared: {
    SAME: t('support.compared.SAME'),
    NEW: t('support.compared.NEW'),
    FIRST_REQUEST: t('support.compared.FIRST_REQUEST'),
    UNKNOWN: t('support.compared.UNKNOWN'),
  } as Record<string, string>,
  valueCompared: (value: string, comparison: string) => `${value} — ${comparison}`,
  outcome: {
    COMPLETED: t('support.outcome.COMPLETED'),
    SIGN_OUT_INCOMPLETE: t('support.outcome.SIGN_OUT_INCOMPLETE'),
    DENIED: t('support.outcome.DENIED'),
    EXPIRED: t('support.outcome.EXPIRED'),
    LOCKED: t('support.outcome.LOCKED'),
    CANCELLED: t('support.outcome.CANCELLED'),
    IGNORED: t('support.outcome.IGNORED'),
    FAILED: t('support.outcome.FAILED'),
    ABORTED: t('support.outcome.ABORTED'),
  } as Record<string, string>,
  stillOpen: t('support.stillOpen'),
  earlier: (outcome: string, when: string, proof: string | undefined) =>
    proof ? t('support.earlierProved', { outcome, when, proof }) : t('support.earlier', { outcome, when }),
  noEarlier: t('support.noEarlier'),
  moreEarlier: (shown: number, total: number) => t('support.moreEarlier', { shown, total }),
  incompleteEarlier: t('support.incompleteEarlier'),
  eventType: {
    SignIn: t('support.eventType.SignIn'),
    ForgotPassword: t('support.eventType.ForgotPassword'),
    PasswordChange: t('support.eventType.PasswordChange'),
  } as Record<string, string>,
  eventResponse: {
    Pass: t('support.eventResponse.Pass'),
    Fail: t('support.eventResponse.Fail'),
    InProgress: t('support.eventResponse.InProgress'),
  } as Record<string, string>,
  signIn: (event: SignInEvent, when: string) =>
    [
      `${when}: ${TEXT.eventType[event.type] ?? event.type}${
        event.response ? ` ${TEXT.eventResponse[event.response] ?? event.response}` : ''
      }`,
      event.riskLevel
        ? t('support.signIn.risk', {
            level: event.riskLevel,
            decision: event.riskDecision && event.riskDecision !== 'NoRisk' ? ` (${event.riskDecision})` : '',
          })
        : t('support.signIn.notRated'),
      t('support.signIn.ip', { ip: event.ipAddress ?? t('support.signIn.unknown') }),
      [event.city, event.country].filter(Boolean).join(', ') || t('support.signIn.placeUnknown'),
      t('support.signIn.device', { device: event.device ?? t('support.signIn.unknown') }),
    ].join(' · '),
  noSignIns: t('support.noSignIns'),
  unavailable: {
    THREAT_PROTECTION_OFF: t('support.unavailable.THREAT_PROTECTION_OFF'),
    NO_ACCOUNT: t('support.unavailable.NO_ACCOUNT'),
    LOOKUP_FAILED: t('support.unavailable.LOOKUP_FAILED'),
  } satisfies Record<Unavailable, string>,
  decision: (
    verb: 'APPROVED' | 'DENIED',
    by: string,
    when: string | undefined,
    reason: string | undefined,
    checked: readonly string[],
  ) =>
    [
      t(verb === 'APPROVED' ? 'support.decision.approvedBy' : 'support.decision.deniedBy', { by }),
      when ? t('support.decision.on', { when }) : '',
      reason ? `: “${reason}”.` : '.',
      ' ',
      checked.length
        ? t('support.decision.checked', { items: checked.join('; ') })
        : t('support.decision.nothingChecked'),
    ].join(''),
  noDecisions: t('support.noDecisions'),
  claim: {
    nobody: t('support.claim.nobody'),
    mine: (until: string) => t('support.claim.mine', { until }),
    theirs: (by: string, since: string) => t('support.claim.theirs', { by, since }),
    stale: (by: string, since: string) => t('support.claim.stale', { by, since }),
    button: t('support.claim.button'),
    failed: t('support.claim.failed'),
  },
  checklist: t('support.checklist'),
  reasonLabel: t('support.reasonLabel'),
  reasonMissing: t('support.reasonMissing'),
  approve: t('support.approve'),
  deny: t('support.deny'),
  approvedPartly: (count: number, required: number) => t('support.approvedPartly', { count, required }),
  approved: t('support.approved'),
  denied: t('support.denied'),
  decidedApproved: t('support.decidedApproved'),
  decidedDenied: t('support.decidedDenied'),
  conflict: t('support.conflict'),
  forbidden: t('support.forbidden'),
  gone: t('support.gone'),
  notRecorded: t('support.notRecorded'),
  checklistRefused: t('support.checklistRefused'),
};

/** A risk reason code (`NEW_ACCOUNT:7d`) in words, keeping the code for people who search by it. */
function reasonText(reason: string): string {
  const [code = '', detail = ''] = reason.split(/:(.*)/s);
  const text = TEXT.reasons[code]?.(detail);
  return text ? `${text} (${reason})` : reason;
}

const locale = () => language;

/** A date and time in the reader's locale and zone. */
const when = (iso: string | undefined) =>
  iso
    ? new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
    : TEXT.noDate;

/** A length of time in the largest unit that keeps it readable: `10 sec`, `5 min`, `72 hr`, `12 days`. */
function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const [value, unit] =
    seconds < 120
      ? [seconds, 'second']
      : seconds < 2 * 3600
        ? [Math.round(seconds / 60), 'minute']
        : seconds < 96 * 3600
          ? [Math.round(seconds / 3600), 'hour']
          : [Math.round(seconds / 86_400), 'day'];
  return new Intl.NumberFormat(locale(), { style: 'unit', unit, unitDisplay: 'short' }).format(value);
}

/** How long ago, in words: `5 days ago`. */
function ago(iso: string): string {
  const days = Math.round((Date.parse(iso) - Date.now()) / 86_400_000);
  const format = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  if (days !== 0) return format.format(days, 'day');
  const hours = Math.round((Date.parse(iso) - Date.now()) / 3_600_000);
  return hours !== 0 ? format.format(hours, 'hour') : format.format(0, 'minute');
}

/** A definition list from pairs; a value may be text or nodes. */
function facts(pairs: readonly [string, string | Node][]): HTMLDListElement {
  const list = element('dl');
  for (const [term, value] of pairs) {
    const dd = element('dd');
    dd.append(value);
    list.append(element('dt', term), dd);
  }
  return list;
}

/** A detail's value in words, or why it is not available. */
function shown<T>(lookup: Lookup<T>, words: (value: T) => string | Node): string | Node {
  return lookup.available ? words(lookup.value) : TEXT.unavailable[lookup.reason];
}

export function supportConsole(main: HTMLElement): void {
  const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const queue = byId<HTMLElement>('queue');
  const list = byId<HTMLUListElement>('approvals');
  const queueState = byId<HTMLElement>('queue-state');
  const filter = byId<HTMLSelectElement>('status-filter');
  const more = byId<HTMLButtonElement>('more');
  let cursor: string | undefined;
  let checklist: readonly string[] = [];
  let me = '';
  const session = staffSession(
    main,
    (username) => {
      me = username;
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
    queueState.textContent = TEXT.loading;
    const query = new URLSearchParams({ status: filter.value, limit: '25' });
    if (cursor) query.set('cursor', cursor);
    const { status, json } = await api('GET', `/support/approvals?${query}`);
    if (status === 401) return;
    if (status === 403) {
      queueState.textContent = TEXT.notSupport;
      return;
    }
    if (status !== 200) {
      queueState.textContent = TEXT.listFailed;
      return;
    }
    checklist = Array.isArray(json.checklist) ? (json.checklist as string[]) : [];
    const items = (json.items as ApprovalItem[] | undefined) ?? [];
    for (const item of items) list.append(card(item));
    cursor = typeof json.cursor === 'string' ? json.cursor : undefined;
    more.hidden = !cursor;
    const count = list.children.length;
    queueState.textContent = count === 0 ? TEXT.nothing : TEXT.shown(count);
  }

  function card(item: ApprovalItem): HTMLLIElement {
    const li = element('li', undefined, { class: 'approval' });
    const headingId = `request-${item.requestId}`;
    li.append(element('h3', item.username, { id: headingId }));
    const pending = item.status === 'PENDING';
    if (pending) li.append(waitingLine(item), claimArea(item));
    const approvals = element(
      'span',
      TEXT.approvals(item.approvers.length, item.requiredApprovals, item.approvers),
      {
        class: 'approval-count',
      },
    );
    const audit = element('a', TEXT.auditLink, { href: item.auditUrl });
    li.append(
      facts([
        [TEXT.term.request, item.requestId],
        [TEXT.term.requested, when(item.requestedAt)],
        [TEXT.term.confirmed, when(item.confirmedAt)],
        [TEXT.term.proof, TEXT.proof[item.proof] ?? item.proof],
        [TEXT.term.approvals, approvals],
        [TEXT.term.audit, audit],
      ]),
    );
    const reasons = item.risk?.reasons ?? [];
    li.append(element('p', TEXT.risk(item.risk?.level ?? TEXT.unknownRisk, reasons.length > 0)));
    if (reasons.length) {
      const ul = element('ul', undefined, { class: 'reasons' });
      for (const reason of reasons) ul.append(element('li', reasonText(reason)));
      li.append(ul);
    }
    li.append(
      ...accountSection(item),
      ...clientSection(item),
      ...earlierSection(item),
      ...signInSection(item),
    );
    if (!pending) li.append(...decisionsSection(item));
    const outcome = element('p', undefined, { class: 'decision', role: 'status' });
    if (pending) li.append(decisionForm(item, outcome, headingId, approvals));
    else outcome.textContent = item.status === 'APPROVED' ? TEXT.decidedApproved : TEXT.decidedDenied;
    li.append(outcome);
    return li;
  }

  function waitingLine(item: ApprovalItem): HTMLParagraphElement {
    const since = Date.parse(item.confirmedAt ?? item.requestedAt);
    const deadline = Date.parse(item.decideBy);
    const text =
      Date.now() >= deadline
        ? TEXT.timeUp(when(item.decideBy))
        : TEXT.waiting(duration(Date.now() - since), duration(deadline - since), when(item.decideBy));
    return element('p', text, { class: 'waiting' });
  }

  function claimArea(item: ApprovalItem): HTMLDivElement {
    const area = element('div', undefined, { class: 'claim' });
    const state = element('p', claimText(item.claim), { role: 'status' });
    const button = element('button', TEXT.claim.button, { type: 'button', class: 'secondary' });
    button.addEventListener('click', async () => {
      button.disabled = true;
      const { status, json } = await api(
        'POST',
        `/support/approvals/${encodeURIComponent(item.requestId)}/claim`,
      );
      button.disabled = false;
      state.textContent =
        status === 200 || (status === 409 && json.error === 'CLAIMED')
          ? claimText(json.claim as ClaimView)
          : status === 409
            ? TEXT.conflict
            : status === 403
              ? String(json.message ?? TEXT.forbidden)
              : status === 404
                ? TEXT.gone
                : TEXT.claim.failed;
    });
    area.append(state, button);
    return area;
  }

  function claimText(claim: ClaimView | undefined): string {
    if (!claim) return TEXT.claim.nobody;
    if (!claim.active) return TEXT.claim.stale(claim.by, when(claim.since));
    return claim.by === me
      ? TEXT.claim.mine(when(claim.until))
      : TEXT.claim.theirs(claim.by, when(claim.since));
  }

  function accountSection(item: ApprovalItem): Node[] {
    const { account, groups, wrongPasswords } = item.context;
    const contact = (value: { masked: string; verified: boolean } | undefined) =>
      value ? TEXT.contact(value.masked, value.verified) : TEXT.noContact;
    const factor = (code: string) => TEXT.mfa[code] ?? code;
    return [
      element('h4', TEXT.heading.account),
      facts([
        [
          TEXT.term.created,
          shown(account, (a) =>
            a.createdAt ? TEXT.created(ago(a.createdAt), when(a.createdAt)) : TEXT.noDate,
          ),
        ],
        [TEXT.term.modified, shown(account, (a) => when(a.modifiedAt))],
        [TEXT.term.email, shown(account, (a) => contact(a.email))],
        [TEXT.term.phone, shown(account, (a) => contact(a.phone))],
        [TEXT.term.status, shown(account, (a) => TEXT.accountStatus(a.status, a.enabled))],
        [
          TEXT.term.mfa,
          shown(account, (a) =>
            a.mfa.settings.length
              ? TEXT.mfaNow(a.mfa.settings.map(factor).join(', '), a.mfa.preferred && factor(a.mfa.preferred))
              : TEXT.noMfa,
          ),
        ],
        [TEXT.term.groups, shown(groups, (names) => (names.length ? names.join(', ') : TEXT.none))],
        [
          TEXT.term.wrongPasswords,
          shown(wrongPasswords, (w) => TEXT.wrongPasswords(w.beforeRequest, w.last24Hours)),
        ],
      ]),
    ];
  }

  function clientSection(item: ApprovalItem): Node[] {
    const { client } = item.context;
    const compared = (value: { value: string; comparedWithEarlier: string }) =>
      TEXT.valueCompared(value.value, TEXT.compared[value.comparedWithEarlier] ?? value.comparedWithEarlier);
    return [
      element('h4', TEXT.heading.client),
      element('p', TEXT.clientNote),
      facts([
        [TEXT.term.ip, shown(client, (c) => compared(c.sourceIp))],
        [TEXT.term.userAgent, shown(client, (c) => compared(c.userAgent))],
      ]),
    ];
  }

  function earlierSection(item: ApprovalItem): Node[] {
    const { earlierRequests } = item.context;
    const heading = element('h4', TEXT.heading.earlier);
    if (!earlierRequests.available) return [heading, element('p', TEXT.unavailable[earlierRequests.reason])];
    const { items, total, complete } = earlierRequests.value;
    if (items.length === 0)
      return [heading, element('p', complete ? TEXT.noEarlier : TEXT.incompleteEarlier)];
    const ul = element('ul', undefined, { class: 'earlier' });
    for (const earlier of items) ul.append(element('li', earlierText(earlier)));
    const notes = [
      ...(total > items.length ? [element('p', TEXT.moreEarlier(items.length, total))] : []),
      ...(complete ? [] : [element('p', TEXT.incompleteEarlier)]),
    ];
    return [heading, ul, ...notes];
  }

  function earlierText(earlier: EarlierRequest): string {
    const outcome = earlier.outcome ? (TEXT.outcome[earlier.outcome] ?? earlier.outcome) : TEXT.stillOpen;
    return TEXT.earlier(
      outcome,
      when(earlier.endedAt ?? earlier.requestedAt),
      earlier.proof ? (TEXT.proof[earlier.proof] ?? earlier.proof) : undefined,
    );
  }

  function signInSection(item: ApprovalItem): Node[] {
    const { signInEvents } = item.context;
    const heading = element('h4', TEXT.heading.signIns);
    if (!signInEvents.available) return [heading, element('p', TEXT.unavailable[signInEvents.reason])];
    if (signInEvents.value.length === 0) return [heading, element('p', TEXT.noSignIns)];
    const ul = element('ul', undefined, { class: 'sign-ins' });
    for (const event of signInEvents.value) ul.append(element('li', TEXT.signIn(event, when(event.at))));
    return [heading, ul];
  }

  function decisionsSection(item: ApprovalItem): Node[] {
    const heading = element('h4', TEXT.heading.decisions);
    if (item.decisions.length === 0) return [heading, element('p', TEXT.noDecisions)];
    const ul = element('ul', undefined, { class: 'decisions' });
    for (const decision of item.decisions) {
      ul.append(
        element(
          'li',
          TEXT.decision(
            decision.decision,
            decision.by,
            decision.at && when(decision.at),
            decision.reason,
            decision.checklist,
          ),
        ),
      );
    }
    return [heading, ul];
  }

  function decisionForm(
    item: ApprovalItem,
    outcome: HTMLElement,
    headingId: string,
    approvals: HTMLElement,
  ): HTMLFormElement {
    const decision = element('form', undefined, { 'aria-labelledby': headingId, novalidate: '' });
    const boxes = checklist.map((text, index) => {
      const id = `check-${item.requestId}-${index}`;
      const box = element('input', undefined, { type: 'checkbox', id, value: text, class: 'check-box' });
      const row = element('div', undefined, { class: 'check' });
      row.append(box, element('label', text, { for: id }));
      return { box, row };
    });
    if (boxes.length) {
      const fieldset = element('fieldset', undefined, { class: 'checklist' });
      fieldset.append(element('legend', TEXT.checklist), ...boxes.map((b) => b.row));
      decision.append(fieldset);
    }
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
    field.append(element('label', TEXT.reasonLabel, { for: fieldId }), reason, error);
    const approve = element('button', TEXT.approve, { type: 'submit', value: 'approve' });
    const deny = element('button', TEXT.deny, { type: 'submit', value: 'deny', class: 'secondary' });
    decision.append(field, approve, ' ', deny);
    decision.addEventListener('submit', async (event) => {
      event.preventDefault();
      const verb = (event.submitter as HTMLButtonElement | null)?.value === 'deny' ? 'deny' : 'approve';
      const text = reason.value.trim();
      error.hidden = text.length >= 3;
      error.textContent = text.length >= 3 ? '' : TEXT.reasonMissing;
      reason.setAttribute('aria-invalid', text.length >= 3 ? 'false' : 'true');
      if (text.length < 3) return reason.focus();
      approve.disabled = true;
      deny.disabled = true;
      const ticked = boxes.filter((b) => b.box.checked).map((b) => b.box.value);
      const { status, json } = await api(
        'POST',
        `/support/approvals/${encodeURIComponent(item.requestId)}/${verb}`,
        { reason: text, checklist: ticked },
      );
      if (status === 200) {
        const result = String(json.status);
        if (verb === 'approve') {
          approvals.textContent = TEXT.approvals(
            Number(json.approvals),
            Number(json.requiredApprovals),
            (json.approvers as string[] | undefined) ?? [],
          );
        }
        outcome.textContent =
          result === 'PENDING'
            ? TEXT.approvedPartly(Number(json.approvals), Number(json.requiredApprovals))
            : result === 'APPROVED'
              ? TEXT.approved
              : TEXT.denied;
        decision.remove();
        return;
      }
      approve.disabled = false;
      deny.disabled = false;
      outcome.textContent =
        status === 409
          ? TEXT.conflict
          : status === 403
            ? String(json.message ?? TEXT.forbidden)
            : status === 404
              ? TEXT.gone
              : status === 400
                ? TEXT.checklistRefused
                : TEXT.notRecorded;
    });
    return decision;
  }

  filter.addEventListener('change', () => void load(true));
  more.addEventListener('click', () => void load(false));
}
