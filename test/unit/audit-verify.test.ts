import { describe, expect, it } from 'vitest';
import { type ChainVersion, chainHash, GENESIS_HASH } from '../../functions/domain/audit-chain';
import {
  type ChainedEvent,
  type DayLink,
  dayLinkHash,
  hashedBody,
  verifyDay,
  verifyRequestChain,
} from '../../functions/domain/audit-verify';

/**
 * A well-formed chain of `types`, hashed as the audit log writes it: in chain version 2, or in the
 * version given for each event (a version 1 event names no version, as records before versions).
 */
function chain(requestId: string, types: string[], versions?: ChainVersion[]): ChainedEvent[] {
  const events: ChainedEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (const [index, type] of types.entries()) {
    const version = versions?.[index] ?? 2;
    const body = {
      requestId,
      seq: index + 1,
      type,
      at: `2026-11-22T10:00:0${index}.000Z`,
      actor: 'system',
      ...(version === 1 ? {} : { chainVersion: version }),
      prevHash,
    };
    const event = {
      ...body,
      pk: `REQ#${requestId}`,
      sk: `EVT#${index + 1}`,
      hash: chainHash(body, prevHash),
    };
    events.push(event);
    prevHash = event.hash;
  }
  return events;
}

function dayChain(
  day: string,
  requests: { requestId: string; firstHash: string }[],
  versions?: ChainVersion[],
): DayLink[] {
  const links: DayLink[] = [];
  let prevHash = GENESIS_HASH;
  for (const [index, request] of requests.entries()) {
    const version = versions?.[index] ?? 2;
    const link = {
      linkDay: day,
      shard: 0,
      seq: index + 1,
      at: `${day}T10:00:00.000Z`,
      ...request,
      ...(version === 1 ? {} : { chainVersion: version }),
    };
    const hash = dayLinkHash(link, prevHash);
    links.push({ ...link, prevHash, hash });
    prevHash = hash;
  }
  return links;
}

const types = ['RecoveryRequested', 'CodeSent', 'CodeConfirmed', 'TotpRemoved', 'RecoveryCompleted'];

describe('verifying a request chain', () => {
  it('takes a RecoveryCodesIssued chain of one event as complete, and refuses one with a second event', () => {
    const issued = chain('codes', ['RecoveryCodesIssued']);
    expect(verifyRequestChain('codes', issued, '2027-01-01T00:00:00.000Z')).toBeUndefined();
    expect(
      verifyRequestChain('codes', chain('codes', ['RecoveryCodesIssued', 'CodeConfirmed'])),
    ).toMatchObject({
      kind: 'SEQUENCE_GAP',
      seq: 2,
    });
    // A recovery's chain still needs its terminal record.
    expect(
      verifyRequestChain('r', chain('r', ['RecoveryRequested']), '2027-01-01T00:00:00.000Z'),
    ).toMatchObject({
      kind: 'NO_TERMINAL_RECORD',
    });
  });

  it('accepts an untouched chain, in any read order', () => {
    expect(verifyRequestChain('r1', chain('r1', types).reverse())).toBeUndefined();
  });

  it.each([1, 2] as const)('names the event whose field was altered, in chain version %i', (version) => {
    const events = chain(
      'r1',
      types,
      types.map(() => version),
    );
    events[2] = { ...(events[2] as ChainedEvent), actor: 'support:mallory' };
    expect(verifyRequestChain('r1', events)).toMatchObject({
      kind: 'HASH_MISMATCH',
      where: 'request r1 event 3',
    });
  });

  it('accepts a chain of version 1 events only, as written before chain versions', () => {
    const old = chain('r1', types, [1, 1, 1, 1, 1]);
    expect(old.some((event) => 'chainVersion' in event)).toBe(false);
    expect(verifyRequestChain('r1', old)).toBeUndefined();
  });

  it('accepts a chain that switches from version 1 to 2 mid-request, checking each event by its own version', () => {
    const spanning = chain('r1', types, [1, 1, 2, 2, 2]);
    expect(spanning.map((event) => event.chainVersion)).toEqual([undefined, undefined, 2, 2, 2]);
    expect(verifyRequestChain('r1', spanning)).toBeUndefined();
  });

  it.each([
    ['the version 1 head', 1],
    ['the version 2 tail', 3],
  ])('names a field altered in %s of a chain that spans the upgrade', (_part, index) => {
    const events = chain('r1', types, [1, 1, 2, 2, 2]);
    events[index] = { ...(events[index] as ChainedEvent), actor: 'support:mallory' };
    expect(verifyRequestChain('r1', events)).toMatchObject({ kind: 'HASH_MISMATCH', seq: index + 1 });
  });

  it('names a version 2 event passed off as version 1 (its chainVersion removed or changed)', () => {
    const events = chain('r1', types);
    const { chainVersion: _chainVersion, ...stripped } = events[1] as ChainedEvent;
    expect(verifyRequestChain('r1', events.with(1, stripped as ChainedEvent))).toMatchObject({
      kind: 'HASH_MISMATCH',
      where: 'request r1 event 2',
    });
    const relabelled = { ...(events[1] as ChainedEvent), chainVersion: 1 };
    expect(verifyRequestChain('r1', events.with(1, relabelled))).toMatchObject({
      kind: 'HASH_MISMATCH',
      where: 'request r1 event 2',
    });
  });

  it('keeps checking a version 1 event by the version 1 form, even one JCS would refuse', () => {
    const head = {
      requestId: 'r1',
      seq: 1,
      type: 'RecoveryRequested',
      at: '2026-11-22T10:00:00.000Z',
      actor: 'system',
      username: 'ad\ud800am',
      prevHash: GENESIS_HASH,
    };
    const first = { ...head, hash: chainHash(head, GENESIS_HASH) };
    const next = {
      ...head,
      seq: 2,
      type: 'CodeSent',
      username: 'adam',
      chainVersion: 2,
      prevHash: first.hash,
    };
    expect(verifyRequestChain('r1', [first, { ...next, hash: chainHash(next, first.hash) }])).toBeUndefined();
  });

  it('names a version 2 event changed to hold what JCS refuses, instead of failing', () => {
    const events = chain('r1', types);
    events[1] = { ...(events[1] as ChainedEvent), actor: 'support:\ud800' };
    expect(verifyRequestChain('r1', events)).toMatchObject({
      kind: 'HASH_MISMATCH',
      where: 'request r1 event 2',
    });
  });

  it('names an event of a chain version it does not know, instead of failing', () => {
    const events = chain('r1', types);
    events[1] = { ...(events[1] as ChainedEvent), chainVersion: 3 };
    expect(verifyRequestChain('r1', events)).toMatchObject({
      kind: 'UNKNOWN_CHAIN_VERSION',
      where: 'request r1 event 2',
      detail: 'carries chain version 3, which this verifier does not know',
    });
  });

  it('names the place of a deleted event', () => {
    const events = chain('r1', types).filter((event) => event.seq !== 4);
    expect(verifyRequestChain('r1', events)).toMatchObject({
      kind: 'SEQUENCE_GAP',
      where: 'request r1 event 4',
    });
  });

  it('catches an event re-hashed after a change, by its successor', () => {
    const events = chain('r1', types);
    const changed = {
      ...hashedBody(events[1] as ChainedEvent),
      actor: 'support:mallory',
    } as unknown as ChainedEvent;
    events[1] = { ...changed, hash: chainHash(hashedBody(changed), changed.prevHash) };
    expect(verifyRequestChain('r1', events)).toMatchObject({
      kind: 'PREV_HASH_MISMATCH',
      where: 'request r1 event 3',
    });
  });

  it('names a chain whose terminal record was cut off, once the request is past its longest life', () => {
    const cut = chain('r1', types).slice(0, 4);
    expect(verifyRequestChain('r1', cut, '2026-11-21T00:00:00.000Z')).toBeUndefined();
    expect(verifyRequestChain('r1', cut, '2026-12-04T00:00:00.000Z')).toMatchObject({
      kind: 'NO_TERMINAL_RECORD',
      where: 'request r1 event 5',
    });
  });
});

describe('verifying a day chain', () => {
  const day = '2026-11-22';
  const a = chain('a', types);
  const b = chain('b', types);
  const firsts = new Map([
    ['a', { hash: (a[0] as ChainedEvent).hash }],
    ['b', { hash: (b[0] as ChainedEvent).hash }],
  ]);
  const links = dayChain(day, [
    { requestId: 'a', firstHash: (a[0] as ChainedEvent).hash },
    { requestId: 'b', firstHash: (b[0] as ChainedEvent).hash },
  ]);

  it('accepts a day whose requests are all linked and present', () => {
    expect(verifyDay(day, links, firsts)).toBeUndefined();
  });

  it('names a whole request that was deleted', () => {
    const withoutB = new Map([...firsts].filter(([id]) => id !== 'b'));
    expect(verifyDay(day, links, withoutB)).toMatchObject({
      kind: 'REQUEST_MISSING',
      requestId: 'b',
      where: `day ${day} shard 0 link 2`,
    });
  });

  it('names a deleted request whose day link was deleted too', () => {
    const withoutA = new Map([...firsts].filter(([id]) => id !== 'a'));
    expect(verifyDay(day, links.slice(1), withoutA)).toMatchObject({
      kind: 'SEQUENCE_GAP',
      where: `day ${day} shard 0 link 1`,
    });
  });

  it('names a request that no day link vouches for (inserted afterwards)', () => {
    const forged = new Map([...firsts, ['z', { hash: 'f'.repeat(64) }]]);
    expect(verifyDay(day, links, forged)).toMatchObject({ kind: 'NOT_IN_DAY_CHAIN', requestId: 'z' });
  });

  it('lets a request wait for its link only while it is younger than the stream’s record age', () => {
    const young = new Map<string, { hash: string; at?: string }>([
      ...firsts,
      ['z', { hash: 'f'.repeat(64), at: `${day}T12:00:00.000Z` }],
    ]);
    // The link is written from the stream: a request started after the cut-off may not be linked yet.
    expect(verifyDay(day, links, young, `${day}T11:00:00.000Z`)).toBeUndefined();
    // Past it, its link would have been written or its record dead-lettered: now a break.
    expect(verifyDay(day, links, young, `${day}T12:00:00.001Z`)).toMatchObject({
      kind: 'NOT_IN_DAY_CHAIN',
      requestId: 'z',
    });
  });

  it('names a request whose first event was replaced', () => {
    const replaced = new Map([...firsts, ['a', { hash: 'e'.repeat(64) }]]);
    expect(verifyDay(day, links, replaced)).toMatchObject({ kind: 'FIRST_EVENT_MISMATCH', requestId: 'a' });
  });

  it('accepts a day whose links switch from chain version 1 to 2, each checked by its own version', () => {
    const spanning = dayChain(
      day,
      [
        { requestId: 'a', firstHash: (a[0] as ChainedEvent).hash },
        { requestId: 'b', firstHash: (b[0] as ChainedEvent).hash },
      ],
      [1, 2],
    );
    expect(spanning.map((link) => link.chainVersion)).toEqual([undefined, 2]);
    expect(verifyDay(day, spanning, firsts)).toBeUndefined();
  });

  it.each([1, 2] as const)('names a day link altered in chain version %i', (version) => {
    const altered = dayChain(
      day,
      [
        { requestId: 'a', firstHash: (a[0] as ChainedEvent).hash },
        { requestId: 'b', firstHash: (b[0] as ChainedEvent).hash },
      ],
      [version, version],
    ).map((link) => (link.seq === 1 ? { ...link, at: `${day}T23:59:59.000Z` } : link));
    expect(verifyDay(day, altered, firsts)).toMatchObject({
      kind: 'HASH_MISMATCH',
      where: `day ${day} shard 0 link 1`,
    });
  });

  it('names a day link of a chain version it does not know', () => {
    const unknown = links.map((link) =>
      link.seq === 2 ? { ...link, chainVersion: 7 as ChainVersion } : link,
    );
    expect(verifyDay(day, unknown, firsts)).toMatchObject({
      kind: 'UNKNOWN_CHAIN_VERSION',
      where: `day ${day} shard 0 link 2`,
    });
  });
});
