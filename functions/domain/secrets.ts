import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** 128 random bits, URL-safe: unguessable, and valid as a Step Functions execution name. */
export function newRequestId(): string {
  return randomBytes(16).toString('base64url');
}

export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** The emailed code of one request: an 8-digit one-time code drawn from the CSPRNG (26.6 bits; 5 attempts give a 5e-8 guess chance). */
export function newEmailCode(): string {
  return randomInt(0, 100_000_000).toString().padStart(8, '0');
}

/** Accepts what people paste: `1234 5678`, `1234-5678`, surrounding spaces. Returns undefined otherwise. */
export function normaliseEmailCode(input: string): string | undefined {
  const digits = input.replace(/[\s-]/g, '');
  return /^\d{8}$/.test(digits) ? digits : undefined;
}

/** A random salt for a request's "this wasn't me" link; stored, useless without the pepper. */
export function newCancelSalt(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The token of the "this wasn't me" link, derived from the pepper and the request's salt: every
 * email of one request (a retried IssueCode sends another) carries the same working link, and the
 * table holds only the salt.
 */
export function cancelTokenFor(pepper: Buffer, requestId: string, salt: string): string {
  return createHmac('sha256', pepper).update(`cancel-link:${requestId}:${salt}`).digest('base64url');
}

/** What is stored instead of the code: HMAC-SHA-256(pepper, requestId || code). */
export function hashEmailCode(pepper: Buffer, requestId: string, code: string): string {
  return createHmac('sha256', pepper).update(`${requestId}${code}`).digest('base64url');
}

/** Constant-time comparison of two stored-form hashes. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
