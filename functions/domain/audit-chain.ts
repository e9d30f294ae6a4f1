import { createHash } from 'node:crypto';
// RFC 8785 (JCS) by one of the RFC's authors (github.com/erdtman/canonicalize): the reference
// JavaScript implementation the RFC points to, no dependencies, maintained, and strict where the RFC
// is (it refuses lone surrogates, NaN and Infinity instead of writing something else).
import canonicalize from 'canonicalize';

/** The first link of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * How a record is serialised before it is hashed, named by the record's `chainVersion` field:
 * 1 (no such field: records written before versions) is `canonicalJson` below; 2 is RFC 8785 (JCS),
 * which anyone can recompute with any JCS implementation (docs/events.md).
 */
export type ChainVersion = 1 | 2;

/** The version new records are written with. */
export const CHAIN_VERSION: ChainVersion = 2;

/**
 * Canonical JSON of chain version 1: keys sorted at every level, no whitespace, so the same event
 * always hashes the same whatever order its fields were written or read in. Kept exactly as it was:
 * records without a `chainVersion` were hashed with it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** RFC 8785 (JCS) of a record; throws on what JCS refuses (a lone surrogate, NaN, Infinity). */
function jcs(record: Record<string, unknown>): string {
  const text = canonicalize(record);
  if (text === undefined) throw new TypeError('the record has no JSON form');
  return text;
}

const CANONICAL_FORMS: Readonly<Record<ChainVersion, (record: Record<string, unknown>) => string>> = {
  1: canonicalJson,
  2: jcs,
};

/** The chain version a record was hashed with: 1 when it names none, undefined for one unknown here. */
export function chainVersionOf(record: { readonly chainVersion?: unknown }): ChainVersion | undefined {
  const declared = record.chainVersion;
  if (declared === undefined) return 1;
  return declared === 1 || declared === 2 ? declared : undefined;
}

/**
 * hash = SHA-256(canonical form of the record's own chain version (record) || prevHash), hex. The
 * record's `chainVersion` is one of the hashed fields, so it cannot be changed unnoticed either.
 */
export function chainHash(record: Record<string, unknown>, prevHash: string): string {
  const version = chainVersionOf(record);
  if (version === undefined) throw new RangeError(`unknown chain version ${String(record.chainVersion)}`);
  return createHash('sha256').update(CANONICAL_FORMS[version](record)).update(prevHash).digest('hex');
}

/**
 * The value with every string made well-formed (a lone surrogate becomes U+FFFD), keys included. JCS
 * refuses lone surrogates and DynamoDB stores UTF-8: a record is made well-formed before it is
 * hashed, so what is hashed is what is stored and what any JCS implementation can read.
 */
export function wellFormed<T>(value: T): T {
  if (typeof value === 'string') return value.toWellFormed() as T;
  if (Array.isArray(value)) return value.map(wellFormed) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [key.toWellFormed(), wellFormed(field)]),
  ) as T;
}
