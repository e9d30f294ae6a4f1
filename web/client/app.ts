/// <reference lib="dom" />
// The pages' behaviour: plain DOM code, no framework, same-origin fetch only (the support console
// also signs staff in against Cognito).

import { auditViewer } from './audit';
import { enrolment } from './enroll';
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
    fieldError(identifier, 'identifier-error', id ? undefined : 'Enter your username or email address.');
    fieldError(
      password,
      'password-error',
      !needsPassword || password.value
        ? undefined
        : 'Enter your password, or tick "I also lost my password".',
    );
    const withCode = needsPassword && hasCode.checked;
    fieldError(
      recoveryCode,
      'recovery-code-error',
      !withCode || recoveryCode.value.trim() ? undefined : 'Enter one of your recovery codes.',
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
        window.location.assign(`/recover/${encodeURIComponent(String(json.requestId))}${left}`);
        return;
      }
      const minutes = Math.max(1, Math.ceil(retryAfter / 60));
      const message =
        status === 401
          ? withCode
            ? 'That username, password or recovery code is not right.'
            : 'That username or password is not right.'
          : status === 409
            ? 'This account has no authenticator app to remove. You can sign in with your password alone.'
            : status === 429
              ? `Too many requests. Nothing was sent. Please try again in about ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`
              : 'Something went wrong. Please try again in a moment.';
      fieldError(undefined, 'form-error', message);
    } finally {
      button.disabled = false;
    }
  });
}

const FINAL: Record<string, { text: string; tone: 'done' | 'stopped' }> = {
  COMPLETED: {
    text: 'Done. Your old authenticator was removed and you were signed out everywhere. Next step: set up your new authenticator (use “Forgot password” first if you lost your password too).',
    tone: 'done',
  },
  SIGN_OUT_INCOMPLETE: {
    text: 'Your old authenticator was removed, but we could not sign you out everywhere: devices that were signed in may stay signed in for a while. Our team was alerted. Next step: sign in and set up your new authenticator when asked.',
    tone: 'done',
  },
  EXPIRED: {
    text: 'This request expired before the code was entered. Nothing changed. You can start a new request.',
    tone: 'stopped',
  },
  LOCKED: {
    text: 'Too many wrong codes were entered, so this request was locked. Nothing changed on your account.',
    tone: 'stopped',
  },
  CANCELLED: { text: 'This request was cancelled. Nothing changed on your account.', tone: 'stopped' },
  DENIED: {
    text: 'Our support team declined this request. Nothing changed on your account. Please contact support so we can help you another way.',
    tone: 'stopped',
  },
  FAILED: {
    text: 'We could not complete this request. Nothing changed on your account. Please try again later or contact support.',
    tone: 'stopped',
  },
};

/** "Need help? Contact support: ..." with the operator's page and address, when configured. */
function supportContact(): HTMLParagraphElement | undefined {
  const ways: HTMLAnchorElement[] = [];
  if (main.dataset.supportUrl) {
    const link = document.createElement('a');
    link.href = main.dataset.supportUrl;
    link.textContent = 'the support page';
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
  help.append('Need help? Contact support: ');
  ways.forEach((way, index) => {
    if (index > 0) help.append(' or ');
    help.append(way);
  });
  help.append('.');
  return help;
}

/** Each state's own heading: the page says where the request stands, not "check your email". */
const HEADINGS: Record<string, string> = {
  CODE_SENT: 'Check your email',
  CONFIRMED: 'Removing your old authenticator',
  AWAITING_APPROVAL: 'Waiting for our support team',
  COOLING_DOWN: 'Approved: removal scheduled',
  COMPLETED: 'Your old authenticator is removed',
  SIGN_OUT_INCOMPLETE: 'Your old authenticator is removed',
  EXPIRED: 'This request expired',
  LOCKED: 'This request is locked',
  CANCELLED: 'This request was cancelled',
  DENIED: 'This request was declined',
  FAILED: 'This request could not be completed',
};

function showState(text: string, tone: '' | 'done' | 'stopped' = '', status = '') {
  const heading = document.querySelector('h1');
  if (heading && HEADINGS[status]) heading.textContent = HEADINGS[status];
  const state = byId<HTMLElement>('state');
  state.className = `status ${tone}`.trim();
  state.innerHTML = '';
  const paragraph = document.createElement('p');
  paragraph.textContent = text;
  state.append(paragraph);
  if (tone === 'done') {
    const next = document.createElement('p');
    const enrol = document.createElement('a');
    enrol.href = '/enroll';
    enrol.className = 'button';
    enrol.textContent = 'Set up your new authenticator';
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
    link.href = '/';
    link.textContent = tone === 'done' ? 'Back to the start' : 'Start a new request';
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
    help.textContent =
      'No email yet? Look in your spam folder. The code goes only to a verified email address of the account, and only when the account can be recovered this way: if you typed another address, or the account has none, no email comes.';
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
    countdown.textContent = `The code expires in ${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s.`;
    if (seconds === 0) void refresh();
  };

  async function refresh(): Promise<void> {
    const response = await fetch(`/recoveries/${encodeURIComponent(requestId)}`);
    const json = (await response.json().catch(() => ({}))) as Json;
    const status = String(json.status ?? (response.status === 404 ? 'UNKNOWN' : 'ERROR'));
    window.clearInterval(timer);
    form.hidden = true;
    const final = FINAL[status];
    if (final) {
      const left = new URLSearchParams(window.location.search).get('codesLeft');
      const codes =
        final.tone === 'done' && left !== null
          ? ` You used a recovery code: ${left} ${left === '1' ? 'is' : 'are'} left. Make a new set once your new authenticator is set up.`
          : '';
      return showState(`${final.text}${codes}`, final.tone, status);
    }
    if (status === 'CODE_SENT') {
      showState(
        'If the account can be recovered this way, an 8-digit code is on its way to its verified email address. Enter it below.',
        '',
        status,
      );
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
      showState(
        'A person in our support team is checking the request; we will email you when it is done. This page updates by itself.',
        '',
        status,
      );
      window.setTimeout(() => void refresh(), 5000);
      return;
    }
    if (status === 'COOLING_DOWN') {
      const at = new Date(String(json.resetAt ?? ''));
      const when = new Intl.DateTimeFormat(undefined, {
        year: 'numeric',
        month: 'long',
        day: 'numeric',
        hour: 'numeric',
        minute: '2-digit',
        timeZoneName: 'short',
      }).format(at);
      showState(
        `Approved. Your authenticator will be removed at ${when}. If this was not you, use the cancel link from the email before then.`,
        '',
        status,
      );
      window.setTimeout(() => void refresh(), 5000);
      return;
    }
    if (status === 'CONFIRMED') {
      showState('Accepted. Removing your old authenticator…', '', status);
      window.setTimeout(() => void refresh(), 1000);
      return;
    }
    showState(
      status === 'UNKNOWN' ? 'We do not know this request. Please start a new one.' : 'Something went wrong.',
      'stopped',
    );
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const digits = code.value.replace(/[\s-]/g, '');
    if (!/^\d{8}$/.test(digits)) {
      fieldError(code, 'code-error', 'Enter the 8 digits from the email.');
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
          left > 0
            ? `That code is not right. ${left} ${left === 1 ? 'attempt' : 'attempts'} left.`
            : 'That code is not right.',
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
    state.textContent =
      status === 200
        ? 'The request is cancelled. Nothing changed on your account. Please change your password now.'
        : 'This request can no longer be cancelled: it already ended, or the link is not valid.';
    button.hidden = true;
  });
}

if (page === 'request') requestForm();
if (page === 'confirm') confirmForm();
if (page === 'cancel') cancelButton();
if (page === 'support') supportConsole(main);
if (page === 'audit') auditViewer(main);
if (page === 'enroll') enrolment(main);
