/**
 * Contacts as support sees them: enough to recognise an address the caller reads out, never enough to
 * learn it. The number of hidden characters is fixed, so a mask does not tell the length either.
 */
const HIDDEN = '•••';

/** `alice@example.com` -> `a•••@e•••.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return HIDDEN;
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const topLevel = dot > 0 ? domain.slice(dot) : '';
  return `${[...email][0]}${HIDDEN}@${[...domain][0]}${HIDDEN}${topLevel}`;
}

/** `+15555550189` -> `+•••••••89`: the last two digits only. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 4) return HIDDEN;
  return `${phone.startsWith('+') ? '+' : ''}${'•'.repeat(7)}${digits.slice(-2)}`;
}
