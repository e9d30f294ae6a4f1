/// <reference lib="dom" />
// The pages' behaviour: plain DOM code, no framework, same-origin fetch only (the support console
// also signs staff in against Cognito).

import { TERMINAL_OUTCOMES } from '../../functions/domain/recovery-state';
import type { MessageKey } from '../i18n/format';
import { auditViewer } from './audit';
import { enrolment } from './enroll';
import { dateTime, language, t } from './i18n';
import { supportConsole } from './support';

const main = document.getElementById('main') as HTMLElement;
const page = main.dataset.page;
const requestId = main.dataset.request ?? '';

type Json = Record<string, unknown>;

async function post(path: string, body: Json): Promise<{ status: number; json: Json; retryAfter: number }> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    json: (await response.json().catch(() => ({}))) as Json,
    retryAfter: Number(response.headers.get('retry-after') ?? 0),
  };
}

function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

/** Shows or clears an error tied to a field (aria-invalid + aria-describedby already point at it). */
function fieldError(input: HTMLInputElement | undefined, errorId: string, message: string | undefined) {
  const error = byId<HTMLElement>(errorId);
  error.textContent = message ?? '';
  error.hidden = !message;
  if (input) input.setAttribute('aria-invalid', message ? 'true' : 'false');
}

function requestForm() {
  const form = byId<HTMLFormElement>('request-form');
  const identifier = byId<HTMLInputElement>('identifier');
  const password = byId<HTMLInputElement>('password');
  const lostPassword = byId<HTMLInputElement>('lost-password');
  const hasCode = byId<HTMLInputElement>('has-recovery-code');
  const recoveryCode = byId<HTMLInputElement>('recovery-code');
  lostPassword.addEventListener('change', () => {
    byId<HTMLElement>('password-field').hidden = lostPassword.checked;
    password.disabled = lostPassword.checked;
    // A recovery code goes with the password: without it, support reviews the request instead.
    byId<HTMLElement>('recovery-code-choice').hidden = lostPassword.checked;
    if (lostPassword.checked) hasCode.checked = false;
    byId<HTMLElement>('recovery-code-field').hidden = !hasCode.checked;
    fieldError(password, 'password-error', undefined);
  });
  hasCode.addEventListener('change', () => {
    byId<HTMLElement>('recovery-code-field').hidden = !hasCode.checked;
    fieldError(recoveryCode, 'recovery-code-error', undefined);
    if (hasCode.checked) recoveryCode.focus();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const id = identifier.value.trim();
    const needsPassword = !lostPassword.checked;
    fieldError(identifier, 'identifier-error', id ? undefined : t('request.error.identifier'));
    fieldError(
      password,
      'password-error',
      !needsPassword || password.value ? undefined : t('request.error.password'),
    );
    const withCode = needsPassword && hasCode.checked;
    fieldError(
      recoveryCode,
      'recovery-code-error',
      !withCode || recoveryCode.value.trim() ? undefined : t('request.error.recoveryCode'),
    );
    fieldError(undefined, 'form-error', undefined);
    if (!id) return identifier.focus();
    if (needsPassword && !password.value) return password.focus();
    if (withCode && !recoveryCode.value.trim()) return recoveryCode.focus();
    const button = form.querySelector('button') as HTMLButtonElement;
    button.disabled = true;
    try {
      const proof = needsPassword
        ? { password: password.value, ...(withCode ? { recoveryCode: recoveryCode.value.trim() } : {}) }
        : { lostPassword: true };
      const body = id.includes('@') ? { email: id, ...proof } : { username: id, ...proof };
      const { status, json, retryAfter } = await post('/recoveries', body);
      if (status === 202) {
        const left = typeof json.recoveryCodesLeft === 'number' ? `?codesLeft=${json.recoveryCodesLeft}` : '';
        window.location.assign(withLanguage(`/recover/${encodeURIComponent(String(json.requestId))}${left}`));
        return;
      }
      const minutes = Math.max(1, Math.ceil(retryAfter / 60));
      const message =
        status === 401
          ? t(withCode ? 'request.error.wrongWithCode' : 'request.error.wrong')
          : status === 409
            ? t('request.error.noAuthenticator')
            : status === 429
              ? t('request.error.tooMany', { minutes })
              : t('common.somethingWrong');
      fieldError(undefined, 'form-error', message);
    } finally {
      button.disabled = false;
    }
  });
}

/** How each ending reads: the factor removed (done) or nothing changed (stopped). */
const FINAL: Record<string, 'done' | 'stopped'> = {
  COMPLETED: 'done',
  SIGN_OUT_INCOMPLETE: 'done',
  EXPIRED: 'stopped',
  LOCKED: 'stopped',
  CANCELLED: 'stopped',
  DENIED: 'stopped',
  FAILED: 'stopped',
};

/** "Need help? Contact support: ..." with the operator's page and address, when configured. */
function supportContact(): HTMLParagraphElement | undefined {
  const ways: HTMLAnchorElement[] = [];
  if (main.dataset.supportUrl) {
    const link = document.createElement('a');
    link.href = main.dataset.supportUrl;
    link.textContent = t('common.supportPage');
    ways.push(link);
  }
  if (main.dataset.supportEmail) {
    const link = document.createElement('a');
    link.href = `mailto:${main.dataset.supportEmail}`;
    link.textContent = main.dataset.supportEmail;
    ways.push(link);
  }
  if (ways.length === 0) return undefined;
  const help = document.createElement('p');
  help.className = 'support-contact';
  // The sentence in the page's language, with the links where the message puts them.
  const marks = ways.map((_, index) => `\uE000${index}\uE000`);
  const sentence = t('common.supportContact', {
    ways: new Intl.ListFormat(language, { type: 'disjunction' }).format(marks),
  });
  for (const part of sentence.split(/(\uE000\d+\uE000)/)) {
    const way = /^\uE000(\d+)\uE000$/.exec(part);
    help.append(way ? (ways[Number(way[1])] as HTMLAnchorElement) : part);
  }
  return help;
}

/** Each state's own heading: the page says where the request stands, not "check your email". */
const HEADED = new Set<string>([
  'CODE_SENT',
  'CONFIRMED',
  'AWAITING_APPROVAL',
  'COOLING_DOWN',
  ...TERMINAL_OUTCOMES.filter((outcome) => outcome !== 'IGNORED' && outcome !== 'ABORTED'),
]);

/** A same-site link in the language the page was asked in with `?lang=`. */
function withLanguage(path: string): string {
  const asked = new URLSearchParams(window.location.search).get('lang');
  if (!asked) return path;
  return `${path}${path.includes('?') ? '&' : '?'}lang=${encodeURIComponent(asked)}`;
}

function showState(text: string, tone: '' | 'done' | 'stopped' = '', status = '') {
  const heading = document.querySelector('h1');
  if (heading && HEADED.has(status)) heading.textContent = t(`state.heading.${status}` as MessageKey);
  const state = byId<HTMLElement>('state');
  state.className = `status ${tone}`.trim();
  state.innerHTML = '';
  const paragraph = document.createElement('p');
  paragraph.textContent = text;
  state.append(paragraph);
  if (tone === 'done') {
    const next = document.createElement('p');
    const enrol = document.createElement('a');
    enrol.href = withLanguage('/enroll');
    enrol.className = 'button';
    enrol.textContent = t('state.setUpNew');
    next.append(enrol);
    state.append(next);
  }
  if (tone === 'stopped') {
    const help = supportContact();
    if (help) state.append(help);
  }
  if (tone) {
    const again = document.createElement('p');
    const link = document.createElement('a');
    link.href = withLanguage('/');
    link.textContent = t(tone === 'done' ? 'common.backToStart' : 'common.startNew');
    again.append(link);
    state.append(again);
  }
}

// After this long without a code, the page says what may have happened, revealing nothing of the account.
const NO_EMAIL_HELP_MS = 3 * 60_000;
let noEmailTimer: number | undefined;

/** Guidance for a code that does not come: the same words whether or not anything was sent. */
function noEmailHelp() {
  window.clearTimeout(noEmailTimer);
  noEmailTimer = window.setTimeout(() => {
    const state = byId<HTMLElement>('state');
    if (state.querySelector('.no-email')) return;
    const help = document.createElement('p');
    help.className = 'no-email';
    help.textContent = t('state.noEmail');
    state.append(help);
    const contact = supportContact();
    if (contact) state.append(contact);
  }, NO_EMAIL_HELP_MS);
}

function confirmForm() {
  const form = byId<HTMLFormElement>('confirm-form');
  const code = byId<HTMLInputElement>('code');
  const countdown = byId<HTMLElement>('countdown');
  let expiresAt = 0;
  let timer: number | undefined;

  const tick = () => {
    const seconds = Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
    countdown.textContent = t('confirm.countdown', {
      minutes: Math.floor(seconds / 60),
      seconds: String(seconds % 60).padStart(2, '0'),
    });
    if (seconds === 0) void refresh();
  };

  async function refresh(): Promise<void> {
    const response = await fetch(`/recoveries/${encodeURIComponent(requestId)}`);
    const json = (await response.json().catch(() => ({}))) as Json;
    const status = String(json.status ?? (response.status === 404 ? 'UNKNOWN' : 'ERROR'));
    window.clearInterval(timer);
    form.hidden = true;
    const tone = FINAL[status];
    if (tone) {
      const left = new URLSearchParams(window.location.search).get('codesLeft');
      const codes =
        tone === 'done' && left !== null && /^\d+$/.test(left)
          ? ` ${t('state.codesLeft', { left: Number(left) })}`
          : '';
      return showState(`${t(`state.final.${status}` as MessageKey)}${codes}`, tone, status);
    }
    if (status === 'CODE_SENT') {
      showState(t('state.codeSent'), '', status);
      noEmailHelp();
      form.hidden = false;
      expiresAt = Date.parse(String(json.codeExpiresAt ?? '')) || 0;
      if (expiresAt) {
        tick();
        timer = window.setInterval(tick, 1000);
      }
      return;
    }
    if (status === 'AWAITING_APPROVAL') {
      showState(t('state.awaitingApproval'), '', status);
      window.setTimeout(() => void refresh(), 5000);
      return;
    }
    if (status === 'COOLING_DOWN') {
      showState(t('state.coolingDown', { when: dateTime(new Date(String(json.resetAt ?? ''))) }), '', status);
      window.setTimeout(() => void refresh(), 5000);
      return;
    }
    if (status === 'CONFIRMED') {
      showState(t('state.confirmed'), '', status);
      window.setTimeout(() => void refresh(), 1000);
      return;
    }
    if (status === 'UNKNOWN') return showState(t('state.unknown'), 'stopped');
    // A throttled or failing read is not an answer about the request: say so, and ask again soon.
    showState(t('state.retrying'));
    window.setTimeout(() => void refresh(), 5000);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const digits = code.value.replace(/[\s-]/g, '');
    if (!/^\d{8}$/.test(digits)) {
      fieldError(code, 'code-error', t('confirm.error.format'));
      return code.focus();
    }
    fieldError(code, 'code-error', undefined);
    const button = form.querySelector('button') as HTMLButtonElement;
    button.disabled = true;
    try {
      const { status, json } = await post(`/recoveries/${encodeURIComponent(requestId)}/confirm`, {
        code: digits,
      });
      if (status === 400 && json.error === 'WRONG_CODE') {
        const left = Number(json.attemptsLeft);
        fieldError(
          code,
          'code-error',
          left > 0 ? t('confirm.error.wrong', { left }) : t('confirm.error.wrongLast'),
        );
        code.select();
        if (left > 0) return;
      }
      await refresh();
    } finally {
      button.disabled = false;
    }
  });

  void refresh();
}

function cancelButton() {
  const button = byId<HTMLButtonElement>('cancel-button');
  // The token travels in the URL fragment, which browsers never send to the server.
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
  button.addEventListener('click', async () => {
    button.disabled = true;
    const { status } = await post(`/recoveries/${encodeURIComponent(requestId)}/cancel`, { token });
    const state = byId<HTMLElement>('state');
    state.className = `status ${status === 200 ? 'done' : 'stopped'}`;
    state.textContent = t(status === 200 ? 'cancel.done' : 'cancel.tooLate');
    button.hidden = true;
  });
}

// The language links keep the URL's fragment (the cancel page's token lives there).
document.querySelectorAll<HTMLAnchorElement>('nav.languages a').forEach((link) => {
  link.addEventListener('click', () => {
    link.href = `${link.getAttribute('href')}${window.location.hash}`;
  });
});

if (page === 'request') requestForm();
if (page === 'confirm') confirmForm();
if (page === 'cancel') cancelButton();
if (page === 'support') supportConsole(main);
if (page === 'audit') auditViewer(main);
if (page === 'enroll') enrolment(main);
