import { type ChainVersion, chainHash, chainVersionOf, GENESIS_HASH } from './audit-chain';

/** The fields of a stored event that its hash covers (everything but the keys and the hash itself). */
export interface ChainedEvent {
  readonly requestId: string;
  readonly seq: number;
  /** How `hash` was computed (audit-chain.ts): absent is version 1; anything else unknown is a break. */
  readonly chainVersion?: unknown;
  readonly prevHash: string;
  readonly hash: string;
  readonly [field: string]: unknown;
}

/**
 * Events of the account rather than of a recovery (a new set of saved recovery codes, a new
 * authenticator bound): each is a chain of its own, of exactly that one event, linked into its day
 * chain like a request, and needs no terminal record.
 */
export const SINGLE_EVENT_CHAINS: readonly string[] = ['RecoveryCodesIssued', 'AuthenticatorAdded'];

/** One link of a day chain: a request that started that day, bound to the hash of its first event. */
export interface DayLink {
  readonly linkDay: string;
  readonly shard: number;
  readonly seq: number;
  readonly requestId: string;
  readonly firstHash: string;
  readonly at: string;
  /** Absent on links written before chain versions (version 1). */
  readonly chainVersion?: ChainVersion;
  readonly prevHash: string;
  readonly hash: string;
}

export type BreakKind =
  | 'HASH_MISMATCH'
  | 'PREV_HASH_MISMATCH'
  | 'SEQUENCE_GAP'
  | 'REQUEST_MISSING'
  | 'NOT_IN_DAY_CHAIN'
  | 'FIRST_EVENT_MISMATCH'
  | 'NO_TERMINAL_RECORD'
  | 'UNKNOWN_CHAIN_VERSION';

/** The first broken link found, named so a person can go and look at it. */
export interface ChainBreak {
  readonly kind: BreakKind;
  /** `request <id> event <seq>` or `day <yyyy-mm-dd> shard <n> link <seq>`. */
  readonly where: string;
  readonly requestId?: string;
  readonly day?: string;
  readonly seq?: number;
  readonly detail: string;
}

const KEY_FIELDS = new Set(['pk', 'sk', 'hash']);

/** What an event's hash covers: the stored item without its keys and hash. */
export function hashedBody(event: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(event).filter(([field]) => !KEY_FIELDS.has(field)));
}

/** The hash a day link must carry, in the link's own chain version. */
export function dayLinkHash(link: Omit<DayLink, 'hash' | 'prevHash'>, prevHash: string): string {
  return chainHash(
    {
      linkDay: link.linkDay,
      shard: link.shard,
      seq: link.seq,
      requestId: link.requestId,
      firstHash: link.firstHash,
      at: link.at,
      ...(link.chainVersion === undefined ? {} : { chainVersion: link.chainVersion }),
    },
    prevHash,
  );
}

const unknownVersion = (record: { readonly chainVersion?: unknown }) =>
  `carries chain version ${JSON.stringify(record.chainVersion)}, which this verifier does not know`;

/**
 * Whether a stored hash is the one recomputed. A record JCS refuses to serialise (a lone surrogate,
 * which the writer never stores in version 2) was changed after it was written: a mismatch, not a crash.
 */
function hashHolds(recompute: () => string, stored: string): boolean {
  try {
    return recompute() === stored;
  } catch {
    return false;
  }
}

/**
 * Recomputes one request's chain, in sequence order; resolves the first break or undefined. A chain
 * that started before `mustHaveEndedBefore` (the longest a request can live) must end with its
 * terminal record: one whose tail was cut off shows here.
 */
export function verifyRequestChain(
  requestId: string,
  events: readonly ChainedEvent[],
  mustHaveEndedBefore?: string,
): ChainBreak | undefined {
  const ordered = [...events].sort((a, b) => a.seq - b.seq);
  let prevHash = GENESIS_HASH;
  for (const [index, event] of ordered.entries()) {
    const where = `request ${requestId} event ${event.seq}`;
    if (event.seq !== index + 1) {
      return {
        kind: 'SEQUENCE_GAP',
        where: `request ${requestId} event ${index + 1}`,
        requestId,
        seq: index + 1,
        detail: `event ${index + 1} is missing (the next stored one is ${event.seq})`,
      };
    }
    if (event.prevHash !== prevHash) {
      return {
        kind: 'PREV_HASH_MISMATCH',
        where,
        requestId,
        seq: event.seq,
        detail: 'does not link to the event before it',
      };
    }
    if (chainVersionOf(event) === undefined) {
      return {
        kind: 'UNKNOWN_CHAIN_VERSION',
        where,
        requestId,
        seq: event.seq,
        detail: unknownVersion(event),
      };
    }
    // Each record by its own version: a request that spans an upgrade switches from 1 to 2 mid-chain.
    if (!hashHolds(() => chainHash(hashedBody(event), event.prevHash), event.hash)) {
      return {
        kind: 'HASH_MISMATCH',
        where,
        requestId,
        seq: event.seq,
        detail: 'its fields were changed after it was written',
      };
    }
    prevHash = event.hash;
  }
  const first = ordered[0];
  const last = ordered.at(-1);
  if (first && SINGLE_EVENT_CHAINS.includes(String(first.type))) {
    if (ordered.length === 1) return undefined;
    return {
      kind: 'SEQUENCE_GAP',
      where: `request ${requestId} event 2`,
      requestId,
      seq: 2,
      detail: `a ${String(first.type)} chain holds one event, not ${ordered.length}`,
    };
  }
  if (first && last && mustHaveEndedBefore && !last.terminal && String(first.at) < mustHaveEndedBefore) {
    return {
      kind: 'NO_TERMINAL_RECORD',
      where: `request ${requestId} event ${last.seq + 1}`,
      requestId,
      seq: last.seq + 1,
      detail: `started ${String(first.at)} and has no terminal record: its last events may have been deleted`,
    };
  }
  return undefined;
}

/**
 * How long after its first event a request may still wait for its day link: the audit stream's
 * maximum record age (infra/constructs/recovery-event-stream.ts). Links are written from the stream,
 * off the request path, normally within seconds; a record still failing after this went to the
 * dead-letter queue, and its request is then reported NOT_IN_DAY_CHAIN.
 */
export const DAY_LINK_WINDOW_SECONDS = 24 * 3600;

/**
 * Checks one day's chains (every shard) against the requests stored for that day: each link intact,
 * each linked request present with the same first event, and each request that started that day
 * linked, unless it started at or after `linkDueBefore` (ISO time): its link may still be on its way.
 */
export function verifyDay(
  day: string,
  links: readonly DayLink[],
  firstEvents: ReadonlyMap<string, { readonly hash: string; readonly at?: string }>,
  linkDueBefore?: string,
): ChainBreak | undefined {
  const byShard = new Map<number, DayLink[]>();
  for (const link of links) byShard.set(link.shard, [...(byShard.get(link.shard) ?? []), link]);
  const linked = new Set<string>();
  for (const [shard, shardLinks] of [...byShard.entries()].sort(([a], [b]) => a - b)) {
    let prevHash = GENESIS_HASH;
    for (const [index, link] of [...shardLinks].sort((a, b) => a.seq - b.seq).entries()) {
      const where = `day ${day} shard ${shard} link ${link.seq}`;
      const base = { where, day, seq: link.seq, requestId: link.requestId };
      if (link.seq !== index + 1) {
        return {
          ...base,
          where: `day ${day} shard ${shard} link ${index + 1}`,
          seq: index + 1,
          kind: 'SEQUENCE_GAP',
          detail: `link ${index + 1} is missing (a whole request may have been deleted)`,
        };
      }
      if (link.prevHash !== prevHash)
        return { ...base, kind: 'PREV_HASH_MISMATCH', detail: 'does not link to the link before it' };
      if (chainVersionOf(link) === undefined)
        return { ...base, kind: 'UNKNOWN_CHAIN_VERSION', detail: unknownVersion(link) };
      if (!hashHolds(() => dayLinkHash(link, link.prevHash), link.hash)) {
        return { ...base, kind: 'HASH_MISMATCH', detail: 'the link was changed after it was written' };
      }
      const first = firstEvents.get(link.requestId);
      if (!first) {
        return {
          ...base,
          kind: 'REQUEST_MISSING',
          detail: `request ${link.requestId} is linked but its events are gone`,
        };
      }
      if (first.hash !== link.firstHash) {
        return {
          ...base,
          kind: 'FIRST_EVENT_MISMATCH',
          detail: `request ${link.requestId} starts with another event than the one linked`,
        };
      }
      linked.add(link.requestId);
      prevHash = link.hash;
    }
  }
  for (const [requestId, first] of [...firstEvents.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const stillDue = linkDueBefore !== undefined && first.at !== undefined && first.at >= linkDueBefore;
    if (!linked.has(requestId) && !stillDue) {
      return {
        kind: 'NOT_IN_DAY_CHAIN',
        where: `request ${requestId}`,
        requestId,
        day,
        detail: `request ${requestId} started on ${day} but no day link names it (added afterwards?)`,
      };
    }
  }
  return undefined;
}
