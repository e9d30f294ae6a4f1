/** Server-rendered page shells in the reader's language. They carry no user data; the client script fills in the state. */

import { LANGUAGES, type MessageKey, type MessageValues, type Translator } from './i18n';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** The operator's brand on every page: the name beside the logo, the logo's URL. */
export interface PageBrand {
  readonly productName?: string | undefined;
  readonly logoUrl?: string | undefined;
}

export interface PageOptions {
  /** The page's language: every text comes from its catalog. */
  readonly t: Translator;
  readonly brand?: PageBrand;
  /** Shown on local pages only, so a newcomer finds the emailed code. */
  readonly mailboxUrl?: string;
  /** Where users reach support: every dead end shows them. */
  readonly supportUrl?: string;
  readonly supportEmail?: string;
}

/** A message as HTML text: escaped, with `html` values put in as markup (links, elements the script fills). */
function text(t: Translator, key: MessageKey, values: MessageValues = {}, html: Record<string, string> = {}) {
  const marks = Object.fromEntries(Object.keys(html).map((name, index) => [name, `\uE000${index}\uE000`]));
  let result = escapeHtml(t.t(key, { ...values, ...marks }));
  Object.values(html).forEach((markup, index) => {
    result = result.replace(`\uE000${index}\uE000`, markup);
  });
  return result;
}

// Built once per translator (translators are cached): every page of a language embeds the same text.
const clientCatalogs = new WeakMap<Translator, string>();

/** The catalog the pages' script needs: everything but the emails and texts, safe inside a script element. */
function clientMessages(t: Translator): string {
  let json = clientCatalogs.get(t);
  if (json === undefined) {
    json = JSON.stringify(
      Object.fromEntries(
        Object.entries(t.messages).filter(([key]) => !key.startsWith('email.') && !key.startsWith('sms.')),
      ),
    ).replace(/</g, '\\u003c');
    clientCatalogs.set(t, json);
  }
  return json;
}

/** The logo and the product name above each page; the name says what the logo shows, so its alt is empty. */
const brandHeader = (brand: PageBrand = {}) => {
  if (!brand.productName && !brand.logoUrl) return '';
  const logo = brand.logoUrl ? `<img class="brand-logo" src="${escapeHtml(brand.logoUrl)}" alt="">` : '';
  const name = brand.productName ? `<span class="brand-name">${escapeHtml(brand.productName)}</span>` : '';
  return `<header class="brand">${logo}${name}</header>\n`;
};

/** Each catalog language named in itself, for the language links. */
const LANGUAGE_NAMES = LANGUAGES.map(
  (language) =>
    [language, new Intl.DisplayNames([language], { type: 'language' }).of(language) ?? language] as const,
);

/** Links to the page in each language (the script keeps the URL's fragment on them). */
const languageLinks = (t: Translator) =>
  `<nav class="languages" aria-label="${escapeHtml(t.t('common.language'))}"><ul>${LANGUAGE_NAMES.map(
    ([language, name]) => {
      const current = language === t.language ? ' aria-current="true"' : '';
      return `<li><a href="?lang=${language}" hreflang="${language}" lang="${language}"${current}>${escapeHtml(name)}</a></li>`;
    },
  ).join('')}</ul></nav>`;

function layout(
  title: MessageKey,
  page: string,
  body: string,
  options: PageOptions,
  data: Record<string, string> = {},
) {
  const { t } = options;
  const support = {
    ...(options.supportUrl ? { 'support-url': options.supportUrl } : {}),
    ...(options.supportEmail ? { 'support-email': options.supportEmail } : {}),
  };
  const attributes = Object.entries({ page, ...support, ...data })
    .map(([key, value]) => ` data-${key}="${escapeHtml(value)}"`)
    .join('');
  const local = options.mailboxUrl
    ? `<p class="local">${text(
        t,
        'common.localMailbox',
        {},
        {
          link: `<a href="${escapeHtml(options.mailboxUrl)}" target="_blank" rel="noopener noreferrer">${escapeHtml(t.t('common.localMailboxLink'))}</a>`,
        },
      )}</p>`
    : '';
  const product = options.brand?.productName;
  return `<!doctype html>
<html lang="${t.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.t(title))}${product ? ` · ${escapeHtml(product)}` : ''}</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/styles.css">
<link rel="stylesheet" href="/assets/brand.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<main id="main"${attributes}>
${brandHeader(options.brand)}${body}
${local}
${languageLinks(t)}
</main>
<script type="application/json" id="messages">${clientMessages(t)}</script>
</body>
</html>
`;
}

/** The lost-device form. */
export function requestPage(options: PageOptions): string {
  const { t } = options;
  return layout(
    'request.title',
    'request',
    `<h1>${text(t, 'request.heading')}</h1>
<p>${text(t, 'request.intro')}</p>
<ol>
<li>${text(t, 'request.step1')}</li>
<li>${text(t, 'request.step2')}</li>
<li>${text(t, 'request.step3')}</li>
<li>${text(t, 'request.step4')}</li>
</ol>
<form id="request-form" novalidate>
<div class="field">
<label for="identifier">${text(t, 'request.identifier')}</label>
<input id="identifier" name="identifier" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required aria-describedby="identifier-error">
<p class="error" id="identifier-error" hidden></p>
</div>
<div class="field" id="password-field">
<label for="password">${text(t, 'request.password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required aria-describedby="password-error">
<p class="error" id="password-error" hidden></p>
</div>
<div class="field checkbox" id="recovery-code-choice">
<input id="has-recovery-code" name="hasRecoveryCode" type="checkbox" aria-describedby="recovery-code-hint">
<label for="has-recovery-code">${text(t, 'request.hasRecoveryCode')}</label>
<p class="hint" id="recovery-code-hint">${text(t, 'request.recoveryCodeHint')}</p>
</div>
<div class="field" id="recovery-code-field" hidden>
<label for="recovery-code">${text(t, 'request.recoveryCode')}</label>
<input id="recovery-code" name="recoveryCode" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" aria-describedby="recovery-code-error">
<p class="error" id="recovery-code-error" hidden></p>
</div>
<div class="field checkbox">
<input id="lost-password" name="lostPassword" type="checkbox" aria-describedby="lost-password-hint">
<label for="lost-password">${text(t, 'request.lostPassword')}</label>
<p class="hint" id="lost-password-hint">${text(t, 'request.lostPasswordHint')}</p>
</div>
<p class="error" id="form-error" role="alert" hidden></p>
<button type="submit">${text(t, 'request.submit')}</button>
</form>`,
    options,
  );
}

/** Confirmation and status page; its URL is the requester's way back. */
export function confirmPage(requestId: string, options: PageOptions): string {
  const { t } = options;
  return layout(
    'confirm.title',
    'confirm',
    `<h1>${text(t, 'state.heading.CODE_SENT')}</h1>
<div id="state" class="status" role="status" aria-live="polite"><p>${text(t, 'confirm.loading')}</p></div>
<form id="confirm-form" novalidate hidden>
<div class="field">
<label for="code">${text(t, 'confirm.codeLabel')}</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required aria-describedby="code-hint code-error">
<p class="hint" id="code-hint">${text(t, 'confirm.codeHint')}</p>
<p class="error" id="code-error" role="alert" hidden></p>
</div>
<p id="countdown" class="hint" aria-live="off"></p>
<button type="submit">${text(t, 'confirm.submit')}</button>
</form>`,
    options,
    { request: requestId },
  );
}

/** The "this was not me" page: a GET shows it, only the button cancels. */
export function cancelPage(requestId: string, options: PageOptions): string {
  const { t } = options;
  return layout(
    'cancel.title',
    'cancel',
    `<h1>${text(t, 'cancel.heading')}</h1>
<p>${text(t, 'cancel.intro')}</p>
<p>${text(t, 'cancel.changePassword')}</p>
<div id="state" role="status" aria-live="polite"></div>
<button type="button" id="cancel-button">${text(t, 'cancel.button')}</button>`,
    options,
    { request: requestId },
  );
}

/** The sign-in form of the staff pages (support console, audit viewer); web/client/staff-session.ts drives it. */
const staffSignIn = (t: Translator) => `<section id="sign-in" aria-labelledby="sign-in-heading">
<h2 id="sign-in-heading">${text(t, 'staff.signInHeading')}</h2>
<form id="sign-in-form" novalidate>
<div class="field">
<label for="staff-username">${text(t, 'staff.username')}</label>
<input id="staff-username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required>
</div>
<div class="field">
<label for="staff-password">${text(t, 'staff.password')}</label>
<input id="staff-password" name="password" type="password" autocomplete="current-password" required>
</div>
<div class="field" id="staff-code-field" hidden>
<label for="staff-code">${text(t, 'staff.code')}</label>
<input id="staff-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code">
</div>
<p class="error" id="sign-in-error" role="alert" hidden></p>
<button type="submit">${text(t, 'staff.signIn')}</button>
</form>
</section>`;

/** The signed-in line with the sign-out button. */
const signedInAs = (t: Translator) =>
  `<p>${text(t, 'staff.signedInAs', {}, { name: '<strong id="staff-name"></strong>' })} <button type="button" class="secondary" id="sign-out">${text(t, 'staff.signOut')}</button></p>`;

/** The support console: staff sign in against the pool, then review the requests waiting for them. */
export function supportPage(
  options: PageOptions & { readonly cognitoUrl: string; readonly clientId: string },
): string {
  const { t } = options;
  return layout(
    'support.title',
    'support',
    `<h1>${text(t, 'support.heading')}</h1>
${staffSignIn(options.t)}
<section id="queue" aria-labelledby="queue-heading" hidden>
<h2 id="queue-heading">${text(t, 'support.requests')}</h2>
${signedInAs(options.t)}
<div class="field">
<label for="status-filter">${text(t, 'support.show')}</label>
<select id="status-filter">
<option value="PENDING">${text(t, 'support.filter.PENDING')}</option>
<option value="APPROVED">${text(t, 'support.filter.APPROVED')}</option>
<option value="DENIED">${text(t, 'support.filter.DENIED')}</option>
</select>
</div>
<div id="queue-state" role="status" aria-live="polite"></div>
<ul id="approvals" class="approvals"></ul>
<button type="button" class="secondary" id="more" hidden>${text(t, 'support.more')}</button>
</section>`,
    options,
    { 'cognito-url': options.cognitoUrl, 'client-id': options.clientId },
  );
}

/**
 * The audit viewer: auditors see an overview of a range, search the trail, read each request's
 * timeline, export what they searched and verify the chains. `?request=` and `?username=` pre-fill the search.
 */
export function auditPage(
  options: PageOptions & { readonly cognitoUrl: string; readonly clientId: string },
): string {
  const { t } = options;
  return layout(
    'audit.title',
    'audit',
    `<h1>${text(t, 'audit.heading')}</h1>
${staffSignIn(options.t)}
<div id="auditor-view" hidden>
${signedInAs(options.t)}
<section id="overview" aria-labelledby="overview-heading">
<h2 id="overview-heading">${text(t, 'audit.overview')}</h2>
<form id="range-form" class="audit-fields" novalidate>
<div class="field"><label for="o-from">${text(t, 'audit.firstDay')}</label><input id="o-from" type="date"></div>
<div class="field"><label for="o-to">${text(t, 'audit.lastDay')}</label><input id="o-to" type="date"></div>
<div class="field actions"><button type="submit" class="secondary">${text(t, 'audit.showOverview')}</button></div>
</form>
<p class="error" id="overview-error" role="alert" hidden></p>
<div id="overview-state" role="status" aria-live="polite"></div>
<div id="overview-figures"></div>
</section>
<section id="trail" aria-labelledby="trail-heading">
<h2 id="trail-heading">${text(t, 'audit.search')}</h2>
<form id="search-form" novalidate>
<div class="audit-fields">
<div class="field"><label for="q-username">${text(t, 'audit.username')}</label><input id="q-username" type="text" autocapitalize="none" spellcheck="false"></div>
<div class="field"><label for="q-request">${text(t, 'audit.requestId')}</label><input id="q-request" type="text" autocapitalize="none" spellcheck="false"></div>
<div class="field"><label for="q-type">${text(t, 'audit.type')}</label><select id="q-type"><option value="">${text(t, 'audit.anyType')}</option></select></div>
<div class="field"><label for="q-from">${text(t, 'audit.from')}</label><input id="q-from" type="date"></div>
<div class="field"><label for="q-to">${text(t, 'audit.to')}</label><input id="q-to" type="date"></div>
</div>
<p class="error" id="search-error" role="alert" hidden></p>
<div class="actions">
<button type="submit">${text(t, 'audit.search')}</button>
<button type="button" class="secondary" id="export-csv">${text(t, 'audit.exportCsv')}</button>
<button type="button" class="secondary" id="export-jsonl">${text(t, 'audit.exportJsonl')}</button>
<button type="button" class="secondary" id="verify">${text(t, 'audit.verify')}</button>
</div>
<p class="hint">${text(t, 'audit.searchHint')}</p>
</form>
<div id="trail-state" role="status" aria-live="polite"></div>
<div id="requests"></div>
<div id="timelines"></div>
</section>
</div>
<section id="verify-report" aria-labelledby="verify-heading" hidden>
<h2 id="verify-heading">${text(t, 'audit.reportHeading')}</h2>
<dl id="verify-facts"></dl>
<div class="actions">
<button type="button" class="secondary" id="report-download">${text(t, 'audit.reportDownload')}</button>
<button type="button" class="secondary" id="report-print">${text(t, 'audit.reportPrint')}</button>
</div>
</section>`,
    options,
    { 'cognito-url': options.cognitoUrl, 'client-id': options.clientId },
  );
}

/** Any path the web handler does not know. */
export function notFoundPage(options: PageOptions): string {
  const { t } = options;
  return layout(
    'notFound.title',
    'missing',
    `<h1>${text(t, 'notFound.heading')}</h1>
<p>${text(t, 'notFound.text')}</p>
<p><a href="/">${text(t, 'notFound.link')}</a></p>`,
    options,
  );
}

/** What the re-enrolment and recovery-codes pages need: the Cognito endpoint, the product's public client. */
export interface EnrolmentOptions extends PageOptions {
  readonly cognitoUrl: string;
  readonly clientId: string;
  /** The name authenticator apps show next to the code. */
  readonly issuer: string;
  /** The operator's sign-in page, offered once the user is done. */
  readonly appSignInUrl?: string;
}

const AUTHENTICATOR_APPS = [
  'Google Authenticator',
  'Microsoft Authenticator',
  'Apple Passwords (iPhone, Mac)',
  '1Password',
  'Bitwarden Authenticator',
  'Authy',
];

/**
 * /enroll: after a recovery, the user signs in, sets up a new authenticator app from a QR code, and
 * saves recovery codes. /recovery-codes: a signed-in user makes a new set. One page, two modes.
 */
export function enrolmentPage(mode: 'enroll' | 'codes', options: EnrolmentOptions): string {
  const { t } = options;
  const signInLink = options.appSignInUrl
    ? `<p><a class="button" href="${escapeHtml(options.appSignInUrl)}">${text(t, 'enroll.goToSignIn')}</a></p>`
    : `<p>${text(t, 'enroll.backToApp')}</p>`;
  const apps = new Intl.ListFormat(t.language, { type: 'unit' }).format(AUTHENTICATOR_APPS);
  return layout(
    mode === 'enroll' ? 'enroll.title' : 'enroll.codesTitle',
    'enroll',
    `<h1>${text(t, mode === 'enroll' ? 'enroll.title' : 'enroll.codesTitle')}</h1>
<div id="enroll-state" class="status" role="status" aria-live="polite"><p>${text(
      t,
      mode === 'enroll' ? 'enroll.intro' : 'enroll.codesIntro',
    )}</p></div>
<section id="enroll-sign-in" aria-labelledby="enroll-sign-in-heading">
<h2 id="enroll-sign-in-heading">${text(t, 'enroll.signInHeading')}</h2>
<form id="enroll-sign-in-form" novalidate>
<div class="field"><label for="enroll-username">${text(t, 'enroll.username')}</label>
<input id="enroll-username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required></div>
<div class="field"><label for="enroll-password">${text(t, 'enroll.password')}</label>
<input id="enroll-password" type="password" autocomplete="current-password" required></div>
<div class="field" id="enroll-code-field" hidden><label for="enroll-code">${text(t, 'enroll.code')}</label>
<input id="enroll-code" type="text" inputmode="numeric" autocomplete="one-time-code"></div>
<p class="error" id="enroll-sign-in-error" role="alert" hidden></p>
<button type="submit">${text(t, 'enroll.signIn')}</button>
</form>
</section>
<section id="setup" aria-labelledby="setup-heading" hidden>
<h2 id="setup-heading">${text(t, 'enroll.setupHeading')}</h2>
<ol class="steps">
<li>${text(t, 'enroll.step1', { apps })}</li>
<li>${text(t, 'enroll.step2')}
<div id="qr" class="qr"></div>
${text(t, 'enroll.cannotScan')}
<p><code id="secret" class="secret"></code></p></li>
<li><form id="verify-form" novalidate>
<div class="field"><label for="totp-code">${text(t, 'enroll.totpLabel')}</label>
<input id="totp-code" type="text" inputmode="numeric" autocomplete="one-time-code" required aria-describedby="verify-error"></div>
<p class="error" id="verify-error" role="alert" hidden></p>
<button type="submit">${text(t, 'enroll.finish')}</button>
</form></li>
</ol>
</section>
<section id="codes" aria-labelledby="codes-heading" hidden>
<h2 id="codes-heading">${text(t, 'enroll.codesHeading')}</h2>
<p>${text(t, 'enroll.codesExplained')}</p>
<button type="button" id="make-codes">${text(t, mode === 'enroll' ? 'enroll.showCodes' : 'enroll.newSet')}</button>
<div id="code-set" hidden>
<ol id="code-list" class="recovery-codes"></ol>
<p><a id="download-codes" class="button secondary" href="#">${text(t, 'enroll.download')}</a>
<button type="button" class="secondary" id="print-codes">${text(t, 'enroll.print')}</button></p>
</div>
${signInLink}
</section>`,
    options,
    {
      mode,
      'cognito-url': options.cognitoUrl,
      'client-id': options.clientId,
      issuer: options.issuer,
    },
  );
}
