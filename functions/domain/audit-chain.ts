import { createHash } from 'node:crypto';

/** The first link of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Canonical JSON: keys sorted at every level, no whitespace, so the same event always hashes the
 * same whatever order its fields were written or read in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** hash = SHA-256(canonical(event) || prevHash), hex. */
export function chainHash(event: Record<string, unknown>, prevHash: string): string {
  return createHash('sha256').update(canonicalJson(event)).update(prevHash).digest('hex');
}
