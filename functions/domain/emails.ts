import {
  type Language,
  languageOf,
  type MessageKey,
  type MessageOverrides,
  type MessageValues,
  type Translator,
  translator,
} from '../../web/i18n';

/** One email to one reader: the address, the subject, and the same text as plain text and HTML. */
export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** How the operator signs every email and text: their product's name and where users reach support. */
export interface Signature {
  readonly productName?: string | undefined;
  readonly supportUrl?: string | undefined;
  readonly supportEmail?: string | undefined;
  /** An absolute URL of the logo the emails show above the text. */
  readonly logoUrl?: string | undefined;
}

/** How the product speaks to one reader: their language, the operator's signature and brand. */
export interface Voice {
  readonly t: Translator;
  readonly signature: Signature;
  /** The reader's locale for dates (Cognito `locale`), when the account has one. */
  readonly locale?: string | undefined;
}

/** The voice of each reader: by the account's `locale`, else the operator's default language. */
export type Voices = (locale?: string) => Voice;

/** Voices with the operator's default language, overrides and signature. */
export function createVoices(
  settings: { defaultLanguage?: Language; overrides?: MessageOverrides; signature?: Signature } = {},
): Voices {
  return (locale) => ({
    t: translator(languageOf(locale) ?? settings.defaultLanguage ?? 'en', settings.overrides),
    signature: settings.signature ?? {},
    ...(locale ? { locale } : {}),
  });
}

/** Plain English with no signature: for tests and callers that have no operator settings. */
const PLAIN: Voice = createVoices()();

/** The support line of every email, or undefined when no contact is configured. */
export function supportLine(voice: Voice): string | undefined {
  const ways = [voice.signature.supportUrl, voice.signature.supportEmail].filter((way): way is string =>
    Boolean(way),
  );
  if (ways.length === 0) return undefined;
  const joined = new Intl.ListFormat(voice.t.language, { type: 'disjunction' }).format(ways);
  return voice.t.t('common.supportContact', { ways: joined });
}

function message(
  voice: Voice,
  to: string,
  subject: string,
  paragraphs: readonly string[],
  link?: { text: string; url: string },
): EmailMessage {
  const { signature } = voice;
  const closing = [
    supportLine(voice),
    signature.productName ? voice.t.t('email.signedBy', { product: signature.productName }) : undefined,
  ].filter((line): line is string => line !== undefined);
  const text = [
    ...paragraphs,
    ...(link ? [`${link.text}: ${link.url}`] : []),
    ...(closing.length ? [closing.join('\n')] : []),
  ].join('\n\n');
  const logo = signature.logoUrl
    ? `<p><img src="${escapeHtml(signature.logoUrl)}" alt="${escapeHtml(signature.productName ?? '')}" height="40"></p>`
    : '';
  const html = [
    `<!doctype html><html lang="${voice.t.language}"><body style="font-family:sans-serif;line-height:1.5">`,
    logo,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(link ? [`<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.text)}</a></p>`] : []),
    ...closing.map((line) => `<p>${escapeHtml(line)}</p>`),
    '</body></html>',
  ].join('');
  return { to, subject, text, html };
}

/** The message of one key in the voice's language. */
const say = (voice: Voice, key: MessageKey, values?: MessageValues) => voice.t.t(key, values);

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
 * unknown or malformed value falls back to the email's language, English as `en-GB`), else in UTC;
 * the zone is always named.
 */
export function formatTime(at: Date, reader: Reader = {}, language: Language = 'en'): string {
  return new Intl.DateTimeFormat(supportedLocale(reader.locale) ?? (language === 'en' ? 'en-GB' : language), {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone: supportedTimeZone(reader.timeZone) ?? 'UTC',
    timeZoneName: 'short',
  }).format(at);
}

/** `1 minute`, `5 minutes`: the language's plural rules. */
export const minutesText = (count: number, voice: Voice = PLAIN) =>
  say(voice, 'email.minutes', { minutes: count });

/** Formats a code for reading aloud and typing: `1234 5678`. */
export const spacedCode = (code: string) => `${code.slice(0, 4)} ${code.slice(4)}`;

/** The one email that carries the code. */
export function codeEmail(
  input: {
    to: string;
    code: string;
    expiresAt: Date;
    confirmUrl: string;
    cancelUrl: string;
    reader?: Reader;
  },
  voice: Voice = PLAIN,
): EmailMessage {
  const minutes = Math.max(1, Math.round((input.expiresAt.getTime() - Date.now()) / 60_000));
  return message(
    voice,
    input.to,
    say(voice, 'email.code.subject'),
    [
      say(voice, 'email.code.asked'),
      say(voice, 'email.code.code', {
        code: spacedCode(input.code),
        duration: minutesText(minutes, voice),
        at: formatTime(input.expiresAt, input.reader, voice.t.language),
      }),
      say(voice, 'email.code.where', { url: input.confirmUrl }),
      say(voice, 'email.code.neverShare'),
      say(voice, 'email.code.notYou'),
    ],
    { text: say(voice, 'email.code.cancel'), url: input.cancelUrl },
  );
}

type Links = { enrollUrl?: string };

/** A notice of two paragraphs that changes nothing and links nowhere: `email.<name>.what`, `.next`. */
const notice =
  (name: 'locked' | 'stopped' | 'failed' | 'denied') =>
  (to: string, _links: Links = {}, voice: Voice = PLAIN): EmailMessage =>
    message(voice, to, say(voice, `email.${name}.subject`), [
      say(voice, `email.${name}.what`),
      say(voice, `email.${name}.next`),
    ]);
const enrolLink = (voice: Voice, links: Links) =>
  links.enrollUrl ? { text: say(voice, 'email.enrolLink'), url: links.enrollUrl } : undefined;

/** Sent once the factor is gone and every session revoked; links to the re-enrolment page when known. */
export function totpRemovedEmail(to: string, links: Links = {}, voice: Voice = PLAIN): EmailMessage {
  return message(
    voice,
    to,
    say(voice, 'email.removed.subject'),
    [say(voice, 'email.removed.done'), say(voice, 'email.removed.next'), say(voice, 'email.removed.notYou')],
    enrolLink(voice, links),
  );
}

export const lockedEmail = notice('locked');

/** The factor is gone, but revoking every session failed: the user must know both. */
export function signOutIncompleteEmail(to: string, links: Links = {}, voice: Voice = PLAIN): EmailMessage {
  return message(
    voice,
    to,
    say(voice, 'email.signOutIncomplete.subject'),
    [
      say(voice, 'email.signOutIncomplete.what'),
      say(voice, 'email.signOutIncomplete.next'),
      say(voice, 'email.signOutIncomplete.notYou'),
    ],
    enrolLink(voice, links),
  );
}

/** An operator stopped the request before anything was changed. */
export const stoppedEmail = notice('stopped');

export const failedEmail = notice('failed');

/** To the support address, in the operator's default language: a high-risk request waits for a decision. */
export function approvalRequestedEmail(
  to: string,
  input: {
    requestId: string;
    username: string;
    reasons: readonly string[];
    requiredApprovals: number;
    consoleUrl: string;
  },
  voice: Voice = PLAIN,
): EmailMessage {
  return message(
    voice,
    to,
    say(voice, 'email.approval.subject', { username: input.username }),
    [
      say(voice, 'email.approval.what', { username: input.username, requestId: input.requestId }),
      say(voice, 'email.approval.reasons', {
        reasons: input.reasons.join(', ') || say(voice, 'email.approval.noReasons'),
        required: input.requiredApprovals,
      }),
      say(voice, 'email.approval.verify'),
    ],
    { text: say(voice, 'email.approval.console'), url: input.consoleUrl },
  );
}

/** To the user: the factor will be removed at an exact time unless they cancel. */
export function coolDownEmail(
  to: string,
  resetAt: string,
  statusUrl: string,
  reader: Reader = {},
  voice: Voice = PLAIN,
): EmailMessage {
  return message(
    voice,
    to,
    say(voice, 'email.coolDown.subject'),
    [
      say(voice, 'email.coolDown.what', { at: formatTime(new Date(resetAt), reader, voice.t.language) }),
      say(voice, 'email.coolDown.notYou'),
    ],
    { text: say(voice, 'email.coolDown.status'), url: statusUrl },
  );
}

export const deniedEmail = notice('denied');

/** Every channel is told when a new authenticator is bound to the account. */
export function newAuthenticatorEmail(to: string, voice: Voice = PLAIN): EmailMessage {
  return message(voice, to, say(voice, 'email.newAuthenticator.subject'), [
    say(voice, 'email.newAuthenticator.what'),
    say(voice, 'email.newAuthenticator.notYou'),
  ]);
}
