import type { Voice } from './emails';
import type { TerminalOutcome } from './recovery-state';

// The text messages of a recovery, sent to the account's verified phone number as well as the
// email (NIST: notify every address of the account), in the account's language and signed like the
// emails. Short, no code, ever.

const signed = (voice: Voice, text: string) =>
  voice.signature.productName
    ? voice.t.t('sms.prefix', { product: voice.signature.productName, text })
    : text;
const withHelp = (voice: Voice, text: string) => {
  const way = voice.signature.supportUrl ?? voice.signature.supportEmail;
  return way ? voice.t.t('sms.help', { text, way }) : text;
};

/** When a request starts: someone asked, and how to stop it. */
export function requestStartedText(cancelUrl: string, voice: Voice): string {
  return signed(voice, voice.t.t('sms.started', { url: cancelUrl }));
}

const ENDINGS = {
  COMPLETED: 'sms.COMPLETED',
  SIGN_OUT_INCOMPLETE: 'sms.SIGN_OUT_INCOMPLETE',
  DENIED: 'sms.DENIED',
  FAILED: 'sms.FAILED',
  LOCKED: 'sms.LOCKED',
  ABORTED: 'sms.ABORTED',
} as const satisfies Partial<Record<TerminalOutcome, string>>;

/** How a request ended, for the outcomes the user is told of; undefined for the others. */
export function requestEndedText(outcome: TerminalOutcome, voice: Voice): string | undefined {
  const key = (ENDINGS as Partial<Record<TerminalOutcome, (typeof ENDINGS)[keyof typeof ENDINGS]>>)[outcome];
  return key ? withHelp(voice, signed(voice, voice.t.t(key))) : undefined;
}

/** When a new authenticator was bound to the account. */
export function newAuthenticatorText(voice: Voice): string {
  return withHelp(voice, signed(voice, voice.t.t('sms.newAuthenticator')));
}
