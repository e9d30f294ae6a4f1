/** Server-rendered page shells. They carry no user data; the client script fills in the state. */

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export interface PageOptions {
  /** Shown on local pages only, so a newcomer finds the emailed code. */
  readonly mailboxUrl?: string;
  /** Where users reach support: every dead end shows them. */
  readonly supportUrl?: string;
  readonly supportEmail?: string;
}

function layout(
  title: string,
  page: string,
  body: string,
  options: PageOptions,
  data: Record<string, string> = {},
) {
  const support = {
    ...(options.supportUrl ? { 'support-url': options.supportUrl } : {}),
    ...(options.supportEmail ? { 'support-email': options.supportEmail } : {}),
  };
  const attributes = Object.entries({ page, ...support, ...data })
    .map(([key, value]) => ` data-${key}="${escapeHtml(value)}"`)
    .join('');
  const local = options.mailboxUrl
    ? `<p class="local">Running locally: the emails this page talks about arrive in the <a href="${escapeHtml(
        options.mailboxUrl,
      )}" target="_blank" rel="noopener noreferrer">local mailbox</a>.</p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/assets/styles.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<main id="main"${attributes}>
${body}
${local}
</main>
</body>
</html>
`;
}

/** The lost-device form. */
export function requestPage(options: PageOptions): string {
  return layout(
    'Lost your authenticator?',
    'request',
    `<h1>Lost the phone with your authenticator app?</h1>
<p>You can remove the old authenticator from your account and set up a new one. Here is what happens:</p>
<ol>
<li>You confirm your password below (or tell us you lost it too).</li>
<li>We email you an 8-digit code. You type it on the next page.</li>
<li>For some accounts, a person in our support team checks the request first.</li>
<li>We remove the old authenticator and sign you out everywhere. You then sign in and set up the new one.</li>
</ol>
<form id="request-form" novalidate>
<div class="field">
<label for="identifier">Username or email address</label>
<input id="identifier" name="identifier" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required aria-describedby="identifier-error">
<p class="error" id="identifier-error" hidden></p>
</div>
<div class="field" id="password-field">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required aria-describedby="password-error">
<p class="error" id="password-error" hidden></p>
</div>
<div class="field checkbox" id="recovery-code-choice">
<input id="has-recovery-code" name="hasRecoveryCode" type="checkbox" aria-describedby="recovery-code-hint">
<label for="has-recovery-code">I have a recovery code</label>
<p class="hint" id="recovery-code-hint">With your password and one of the recovery codes you saved, your old authenticator is removed at once: no email code, no waiting.</p>
</div>
<div class="field" id="recovery-code-field" hidden>
<label for="recovery-code">Recovery code</label>
<input id="recovery-code" name="recoveryCode" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" aria-describedby="recovery-code-error">
<p class="error" id="recovery-code-error" hidden></p>
</div>
<div class="field checkbox">
<input id="lost-password" name="lostPassword" type="checkbox" aria-describedby="lost-password-hint">
<label for="lost-password">I also lost my password</label>
<p class="hint" id="lost-password-hint">Without your password, a person in our support team checks the request before anything changes, which can take a few days. Once the authenticator is removed, use "Forgot password" when you sign in.</p>
</div>
<p class="error" id="form-error" role="alert" hidden></p>
<button type="submit">Send me a code</button>
</form>`,
    options,
  );
}

/** Confirmation and status page; its URL is the requester's way back. */
export function confirmPage(requestId: string, options: PageOptions): string {
  return layout(
    'Enter your code',
    'confirm',
    `<h1>Check your email</h1>
<div id="state" class="status" role="status" aria-live="polite"><p>Loading the state of your request…</p></div>
<form id="confirm-form" novalidate hidden>
<div class="field">
<label for="code">8-digit code from the email</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required aria-describedby="code-hint code-error">
<p class="hint" id="code-hint">Spaces and dashes are fine, for example 1234 5678.</p>
<p class="error" id="code-error" role="alert" hidden></p>
</div>
<p id="countdown" class="hint" aria-live="off"></p>
<button type="submit">Confirm</button>
</form>`,
    options,
    { request: requestId },
  );
}

/** The "this was not me" page: a GET shows it, only the button cancels. */
export function cancelPage(requestId: string, options: PageOptions): string {
  return layout(
    'Cancel this request',
    'cancel',
    `<h1>Was this not you?</h1>
<p>Someone asked to remove the authenticator from your account. If it was not you, cancel the request: nothing will change on your account.</p>
<p>Then change your password: whoever asked knew it.</p>
<div id="state" role="status" aria-live="polite"></div>
<button type="button" id="cancel-button">Cancel the request</button>`,
    options,
    { request: requestId },
  );
}

/** The sign-in form of the staff pages (support console, audit viewer); web/client/staff-session.ts drives it. */
const STAFF_SIGN_IN = `<section id="sign-in" aria-labelledby="sign-in-heading">
<h2 id="sign-in-heading">Sign in with your staff account</h2>
<form id="sign-in-form" novalidate>
<div class="field">
<label for="staff-username">Username</label>
<input id="staff-username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required>
</div>
<div class="field">
<label for="staff-password">Password</label>
<input id="staff-password" name="password" type="password" autocomplete="current-password" required>
</div>
<div class="field" id="staff-code-field" hidden>
<label for="staff-code">6-digit code from your authenticator</label>
<input id="staff-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code">
</div>
<p class="error" id="sign-in-error" role="alert" hidden></p>
<button type="submit">Sign in</button>
</form>
</section>`;

/** The signed-in line with the sign-out button. */
const SIGNED_IN_AS =
  '<p>Signed in as <strong id="staff-name"></strong>. <button type="button" class="secondary" id="sign-out">Sign out</button></p>';

/** The support console: staff sign in against the pool, then review the requests waiting for them. */
export function supportPage(
  options: PageOptions & { readonly cognitoUrl: string; readonly clientId: string },
): string {
  return layout(
    'Support: recovery requests',
    'support',
    `<h1>Recovery requests to review</h1>
${STAFF_SIGN_IN}
<section id="queue" aria-labelledby="queue-heading" hidden>
<h2 id="queue-heading">Requests</h2>
${SIGNED_IN_AS}
<div class="field">
<label for="status-filter">Show</label>
<select id="status-filter">
<option value="PENDING">Waiting for a decision</option>
<option value="APPROVED">Approved</option>
<option value="DENIED">Denied</option>
</select>
</div>
<div id="queue-state" role="status" aria-live="polite"></div>
<ul id="approvals" class="approvals"></ul>
<button type="button" class="secondary" id="more" hidden>Show more</button>
</section>`,
    options,
    { 'cognito-url': options.cognitoUrl, 'client-id': options.clientId },
  );
}

/** The audit viewer: auditors search the trail, read each request's timeline, export and verify. */
export function auditPage(
  options: PageOptions & { readonly cognitoUrl: string; readonly clientId: string },
): string {
  return layout(
    'Audit: MFA recovery trail',
    'audit',
    `<h1>MFA recovery audit trail</h1>
${STAFF_SIGN_IN}
<section id="trail" aria-labelledby="trail-heading" hidden>
<h2 id="trail-heading">Search</h2>
${SIGNED_IN_AS}
<form id="search-form" novalidate>
<div class="field"><label for="q-username">Account username</label><input id="q-username" type="text" autocapitalize="none" spellcheck="false"></div>
<div class="field"><label for="q-request">Request id</label><input id="q-request" type="text" autocapitalize="none" spellcheck="false"></div>
<div class="field"><label for="q-from">From (date)</label><input id="q-from" type="date"></div>
<div class="field"><label for="q-to">To (date)</label><input id="q-to" type="date"></div>
<p class="error" id="search-error" role="alert" hidden></p>
<button type="submit">Search</button>
<button type="button" class="secondary" id="export-csv">Export CSV</button>
<button type="button" class="secondary" id="export-jsonl">Export JSON lines</button>
<button type="button" class="secondary" id="verify">Verify the chains</button>
</form>
<div id="trail-state" role="status" aria-live="polite"></div>
<div id="timelines"></div>
</section>`,
    options,
    { 'cognito-url': options.cognitoUrl, 'client-id': options.clientId },
  );
}

/** Any path the web handler does not know. */
export function notFoundPage(options: PageOptions): string {
  return layout(
    'Page not found',
    'missing',
    '<h1>This page does not exist</h1><p><a href="/">Start a new request</a></p>',
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
  const signInLink = options.appSignInUrl
    ? `<p><a class="button" href="${escapeHtml(options.appSignInUrl)}">Go to sign-in</a></p>`
    : '<p>You can now go back to the app and sign in with your new authenticator.</p>';
  return layout(
    mode === 'enroll' ? 'Set up your new authenticator' : 'Your recovery codes',
    'enroll',
    `<h1>${mode === 'enroll' ? 'Set up your new authenticator' : 'Your recovery codes'}</h1>
<div id="enroll-state" class="status" role="status" aria-live="polite"><p>${
      mode === 'enroll'
        ? 'Your old authenticator was removed. Sign in with your password to set up a new one.'
        : 'Sign in with your password and your authenticator to make a new set of recovery codes.'
    }</p></div>
<section id="enroll-sign-in" aria-labelledby="enroll-sign-in-heading">
<h2 id="enroll-sign-in-heading">Sign in</h2>
<form id="enroll-sign-in-form" novalidate>
<div class="field"><label for="enroll-username">Username or email address</label>
<input id="enroll-username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required></div>
<div class="field"><label for="enroll-password">Password</label>
<input id="enroll-password" type="password" autocomplete="current-password" required></div>
<div class="field" id="enroll-code-field" hidden><label for="enroll-code">6-digit code from your authenticator app</label>
<input id="enroll-code" type="text" inputmode="numeric" autocomplete="one-time-code"></div>
<p class="error" id="enroll-sign-in-error" role="alert" hidden></p>
<button type="submit">Sign in</button>
</form>
</section>
<section id="setup" aria-labelledby="setup-heading" hidden>
<h2 id="setup-heading">Add your account to an authenticator app</h2>
<ol class="steps">
<li>Open an authenticator app on your phone. If you need one, these are common: ${AUTHENTICATOR_APPS.join(', ')}.</li>
<li>In the app, add an account and scan this QR code:
<div id="qr" class="qr"></div>
Cannot scan it? Choose "enter a setup key" in the app and type this key (time-based, 6 digits):
<p><code id="secret" class="secret"></code></p></li>
<li><form id="verify-form" novalidate>
<div class="field"><label for="totp-code">The 6-digit code the app shows now</label>
<input id="totp-code" type="text" inputmode="numeric" autocomplete="one-time-code" required aria-describedby="verify-error"></div>
<p class="error" id="verify-error" role="alert" hidden></p>
<button type="submit">Finish set-up</button>
</form></li>
</ol>
</section>
<section id="codes" aria-labelledby="codes-heading" hidden>
<h2 id="codes-heading">Recovery codes</h2>
<p>If you lose your authenticator again, one recovery code and your password get you back in at once: no email, no waiting. Each code works once.</p>
<button type="button" id="make-codes">${mode === 'enroll' ? 'Show my recovery codes' : 'Make a new set'}</button>
<div id="code-set" hidden>
<ol id="code-list" class="recovery-codes"></ol>
<p><a id="download-codes" class="button secondary" href="#">Download as text</a>
<button type="button" class="secondary" id="print-codes">Print</button></p>
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
