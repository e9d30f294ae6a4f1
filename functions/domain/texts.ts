import type { Signature } from './emails';
import type { TerminalOutcome } from './recovery-state';

// The text messages of a recovery, sent to the account's verified phone number as well as the
// email (NIST: notify every address of the account), signed like the emails. Short, no code, ever.

const prefix = (signature: Signature) => (signature.productName ? `${signature.productName}: ` : '');
const support = (signature: Signature) => {
  const way = signature.supportUrl ?? signature.supportEmail;
  return way ? ` Help: ${way}` : '';
};

/** When a request starts: someone asked, and how to stop it. */
export function requestStartedText(cancelUrl: string, signature: Signature): string {
  return `${prefix(signature)}someone asked to remove the authenticator app from your account. If this was not you, cancel now: ${cancelUrl}`;
}

const ENDINGS: Partial<Record<TerminalOutcome, string>> = {
  COMPLETED: 'the authenticator app was removed from your account. If this was not you, contact support now.',
  SIGN_OUT_INCOMPLETE:
    'the authenticator app was removed from your account, but not every session could be signed out. If this was not you, contact support now.',
  DENIED: 'the request to remove your authenticator app was declined. Nothing changed.',
  FAILED: 'the request to remove your authenticator app could not be completed. Nothing changed.',
  LOCKED:
    'a request to remove your authenticator app was locked after too many wrong codes. Nothing changed.',
  ABORTED: 'the request to remove your authenticator app was stopped. Nothing changed.',
};

/** How a request ended, for the outcomes the user is told of; undefined for the others. */
export function requestEndedText(outcome: TerminalOutcome, signature: Signature): string | undefined {
  const ending = ENDINGS[outcome];
  return ending ? `${prefix(signature)}${ending}${support(signature)}` : undefined;
}

/** When a new authenticator was bound to the account. */
export function newAuthenticatorText(signature: Signature): string {
  return `${prefix(signature)}a new authenticator app was added to your account. If this was not you, contact support now.${support(signature)}`;
}
