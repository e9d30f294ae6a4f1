import type { EmailMessage } from '../adapters/mailer';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function message(
  to: string,
  subject: string,
  paragraphs: readonly string[],
  link?: { text: string; url: string },
) {
  const text = [...paragraphs, ...(link ? [`${link.text}: ${link.url}`] : [])].join('\n\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">',
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(link ? [`<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.text)}</a></p>`] : []),
    '</body></html>',
  ].join('');
  return { to, subject, text, html } satisfies EmailMessage;
}

/** How the operator signs every email: their product's name and where users reach support. */
export interface Signature {
  readonly productName?: string | undefined;
  readonly supportUrl?: string | undefined;
  readonly supportEmail?: string | undefined;
}

/** The support line of every email and dead-end page, or undefined when no contact is configured. */
export function supportLine(signature: Signature): string | undefined {
  const ways = [signature.supportUrl, signature.supportEmail].filter(Boolean);
  return ways.length > 0 ? `Need help? Contact support: ${ways.join(' or ')}.` : undefined;
}

/** Adds the operator's signature to a message: the support line and the product's name. */
export function signed(email: EmailMessage, signature: Signature): EmailMessage {
  const lines = [
    supportLine(signature),
    signature.productName ? `— ${signature.productName}` : undefined,
  ].filter((line): line is string => line !== undefined);
  if (lines.length === 0) return email;
  return {
    ...email,
    text: `${email.text}\n\n${lines.join('\n')}`,
    html: email.html.replace(
      '</body>',
      `${lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('')}</body>`,
    ),
  };
}

/** What is known of how the reader reads times: Cognito's `zoneinfo` and `locale` attributes. */
export interface Reader {
  readonly timeZone?: string | undefined;
  readonly locale?: string | undefined;
}

const supportedTimeZone = (zone: string | undefined) => {
  if (!zone) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
};

const supportedLocale = (locale: string | undefined) => {
  if (!locale) return undefined;
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale.replace('_', '-')])[0];
  } catch {
    return undefined;
  }
};

/**
 * A time as the reader reads it: in their time zone and locale when the account has them (an
 * unknown or malformed value falls back), else in UTC; the zone is always named.
 */
export function formatTime(at: Date, reader: Reader = {}): string {
  return new Intl.DateTimeFormat(supportedLocale(reader.locale) ?? 'en-GB', {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone: supportedTimeZone(reader.timeZone) ?? 'UTC',
    timeZoneName: 'short',
  }).format(at);
}

/** `1 minute`, `5 minutes`: English plural rules. */
export const minutesText = (count: number) =>
  `${count} ${new Intl.PluralRules('en').select(count) === 'one' ? 'minute' : 'minutes'}`;

/** Formats a code for reading aloud and typing: `1234 5678`. */
export const spacedCode = (code: string) => `${code.slice(0, 4)} ${code.slice(4)}`;

/** The one email that carries the code. */
export function codeEmail(input: {
  to: string;
  code: string;
  expiresAt: Date;
  confirmUrl: string;
  cancelUrl: string;
  reader?: Reader;
}): EmailMessage {
  const minutes = Math.max(1, Math.round((input.expiresAt.getTime() - Date.now()) / 60_000));
  return message(
    input.to,
    'Your code to remove your lost authenticator',
    [
      'Someone (hopefully you) asked to remove the authenticator app from your account because the device was lost.',
      `Your code is ${spacedCode(input.code)}. It works once and expires in ${minutesText(minutes)} (${formatTime(input.expiresAt, input.reader)}).`,
      `Enter it on the page where you made the request: ${input.confirmUrl}`,
      'Never share this code. Support staff will never ask you for it.',
      'If this was not you, your password may be known to someone else: cancel the request with the link below and change your password.',
    ],
    { text: 'This was not me: cancel the request', url: input.cancelUrl },
  );
}

/** Sent once the factor is gone and every session revoked; links to the re-enrolment page when known. */
export function totpRemovedEmail(to: string, links: { enrollUrl?: string } = {}): EmailMessage {
  return message(
    to,
    'Your authenticator was removed from your account',
    [
      'The authenticator app was removed from your account and you were signed out everywhere.',
      'Next step: set up your new authenticator, then save recovery codes so that next time you need neither email nor support.',
      'If you did not ask for this, contact support at once and change your password: someone who knows it may have access to your email.',
    ],
    links.enrollUrl ? { text: 'Set up your new authenticator', url: links.enrollUrl } : undefined,
  );
}

export function lockedEmail(to: string): EmailMessage {
  return message(to, 'Your authenticator recovery request was locked', [
    'Too many wrong codes were entered for a request to remove your authenticator, so the request was locked. Nothing was changed on your account.',
    'If this was you, you can start a new request later. If it was not you, change your password: someone who knows it tried to use it.',
  ]);
}

/** The factor is gone, but revoking every session failed: the user must know both. */
export function signOutIncompleteEmail(to: string, links: { enrollUrl?: string } = {}): EmailMessage {
  return message(
    to,
    'Your authenticator was removed, but not every session was signed out',
    [
      'The authenticator app was removed from your account. We could not sign your account out everywhere, so devices that were signed in may stay signed in for a while. Our team was alerted.',
      'Next step: set up your new authenticator.',
      'If you did not ask for this, contact support at once and change your password.',
    ],
    links.enrollUrl ? { text: 'Set up your new authenticator', url: links.enrollUrl } : undefined,
  );
}

/** An operator stopped the request before anything was changed. */
export function stoppedEmail(to: string): EmailMessage {
  return message(to, 'Your authenticator recovery was stopped', [
    'Your request to remove your authenticator was stopped before it finished. Nothing was changed on your account.',
    'Please start a new request, or contact support.',
  ]);
}

export function failedEmail(to: string): EmailMessage {
  return message(to, 'Your authenticator recovery could not be completed', [
    'We could not complete your request to remove your authenticator. Nothing was changed on your account.',
    'Please try again later or contact support.',
  ]);
}

/** To the support address: a high-risk request waits for a decision. */
export function approvalRequestedEmail(
  to: string,
  input: {
    requestId: string;
    username: string;
    reasons: readonly string[];
    requiredApprovals: number;
    consoleUrl: string;
  },
): EmailMessage {
  return message(
    to,
    `Approval needed: authenticator recovery for ${input.username}`,
    [
      `The user ${input.username} confirmed the emailed code for recovery request ${input.requestId}, which needs a review before the authenticator is removed.`,
      `Risk reasons: ${input.reasons.join(', ') || 'none recorded'}. Approvals needed: ${input.requiredApprovals}.`,
      'Verify the person through a channel you trust before approving. Never ask for their code.',
    ],
    { text: 'Open the support console', url: input.consoleUrl },
  );
}

/** To the user: the factor will be removed at an exact time unless they cancel. */
export function coolDownEmail(
  to: string,
  resetAt: string,
  statusUrl: string,
  reader: Reader = {},
): EmailMessage {
  return message(
    to,
    'Your authenticator will be removed soon',
    [
      `Your request was approved. Your authenticator will be removed at ${formatTime(new Date(resetAt), reader)}.`,
      'If this was not you, use the cancel link from the first email before then, and change your password.',
    ],
    { text: 'See the state of your request', url: statusUrl },
  );
}

export function deniedEmail(to: string): EmailMessage {
  return message(to, 'Your authenticator recovery request was declined', [
    'Our support team declined the request to remove the authenticator from your account. Nothing was changed.',
    'If it was you, please contact support so we can help you another way.',
  ]);
}

/** Every channel is told when a new authenticator is bound to the account. */
export function newAuthenticatorEmail(to: string): EmailMessage {
  return message(to, 'A new authenticator app was added to your account', [
    'A new authenticator app was just set up for your account.',
    'If this was not you, contact support at once and change your password.',
  ]);
}
