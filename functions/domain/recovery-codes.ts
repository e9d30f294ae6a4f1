import { createHmac, randomBytes } from 'node:crypto';

/**
 * Saved recovery codes: the second proof a user keeps for the day they lose their authenticator
 * (NIST SP 800-63B-4 "saved recovery codes"). Not the 8-digit code a recovery emails.
 */

/** What a user may know of their set: how many codes are left, and when it was issued. */
export interface RecoveryCodeStatus {
  readonly remaining: number;
  readonly issuedAt: string | null;
}

/** Codes in a set; issuing a new set invalidates the old one. */
export const RECOVERY_CODE_COUNT = 10;

// Crockford's base32: no I, L, O or U, so what is read aloud or copied by hand survives.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 16; // 16 characters x 5 bits = 80 random bits (NIST asks for at least 64)

/** A fresh set of codes from the CSPRNG, each shown as XXXX-XXXX-XXXX-XXXX. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes((CODE_LENGTH * 5) / 8);
    let bits = 0n;
    for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
    let text = '';
    for (let i = CODE_LENGTH - 1; i >= 0; i -= 1) text += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
    return text.match(/.{4}/g)?.join('-') ?? text;
  });
}

/**
 * What people type back: any case, spaces or hyphens anywhere, and the letters Crockford maps (O to
 * 0, I and L to 1). Undefined when it cannot be a code, so a malformed code costs the same as a
 * wrong one.
 */
export function normaliseRecoveryCode(input: string): string | undefined {
  const text = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (text.length !== CODE_LENGTH) return undefined;
  for (const char of text) if (!ALPHABET.includes(char)) return undefined;
  return text;
}

/** What is stored instead of a code: HMAC-SHA-256(pepper, sub || code), bound to its owner. */
export function hashRecoveryCode(pepper: Buffer, sub: string, normalisedCode: string): string {
  return createHmac('sha256', pepper)
    .update(`saved-recovery-code:${sub}:${normalisedCode}`)
    .digest('base64url');
}
