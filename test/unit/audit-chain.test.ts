import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, GENESIS_HASH, wellFormed } from '../../functions/domain/audit-chain';

describe('canonical encoding of audit events', () => {
  it('does not depend on key order, at any depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'x' } })).toBe(
      canonicalJson({ a: { c: 'x', d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
  });

  it('drops undefined fields, as DynamoDB does not store them', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it('writes, in version 1, the bytes JCS writes for everything an audit record can hold', () => {
    // Why the switch to JCS changes no hash by itself: only the chainVersion field does.
    const text = fc.string({ unit: 'grapheme', maxLength: 30 });
    const record = fc.record(
      {
        requestId: text,
        seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        type: text,
        username: text,
        reasons: fc.array(text, { maxLength: 3 }),
        details: fc.dictionary(
          text,
          fc.oneof(
            text,
            fc.boolean(),
            fc.maxSafeInteger(),
            fc.double({ noNaN: true, noDefaultInfinity: true }),
          ),
          { maxKeys: 4 },
        ),
      },
      { requiredKeys: ['requestId', 'seq', 'type'] },
    );
    fc.assert(fc.property(record, (value) => canonicalJson(value) === canonicalize(value)));
  });
});

describe('chaining audit events', () => {
  const event = { requestId: 'r', seq: 1, type: 'RecoveryRequested' };

  it('gives a different hash when any field changes', () => {
    const hash = chainHash(event, GENESIS_HASH);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash({ ...event, type: 'RecoveryCompleted' }, GENESIS_HASH)).not.toBe(hash);
  });

  it('binds each event to its predecessor', () => {
    expect(chainHash(event, GENESIS_HASH)).not.toBe(chainHash(event, 'f'.repeat(64)));
  });

  it('refuses to hash a record of a chain version it does not know', () => {
    expect(() => chainHash({ ...event, chainVersion: 3 }, GENESIS_HASH)).toThrow('unknown chain version 3');
  });
});

// Fixed vectors: the first record of a request written before the upgrade (version 1), and the
// terminal record written after it (version 2), linked to the first.
const subject = {
  requestId: 'Qx3n0Zr1m2b8c9d0e1f2gA',
  day: '2026-11-22',
  username: 'Adam',
  userKey: 'USER#adam',
};
const v1Record = {
  ...subject,
  seq: 1,
  type: 'RecoveryRequested',
  at: '2026-11-22T10:00:00.000Z',
  actor: 'user:adam',
  sourceIp: '203.0.113.7',
  details: { lostPassword: false, proof: 'PASSWORD' },
  prevHash: GENESIS_HASH,
};
const V1_HASH = 'bf4203342909e670d59f1bf88b7b3771921cf9406e68258d3d3fba1555384835';
const v2Record = {
  ...subject,
  seq: 2,
  type: 'RecoveryDenied',
  at: '2026-11-22T10:20:00.000Z',
  actor: 'support:sam',
  reasons: ['DENIED_BY_SUPPORT'],
  details: { staffReason: 'Rückruf: Nummer unbekannt – abgelehnt', checklistOffered: 3 },
  terminal: 'DENIED',
  chainVersion: 2,
  prevHash: V1_HASH,
};
const V2_HASH = '41c90c393e9eab1528c698ee7ca6b116f3271b11888966b6e258ee4fb30ded94';

describe('chain version 1: records without chainVersion', () => {
  it('hashes the sorted, spaceless JSON of the record, then prevHash (fixed vector)', () => {
    expect(canonicalJson(v1Record)).toBe(
      '{"actor":"user:adam","at":"2026-11-22T10:00:00.000Z","day":"2026-11-22","details":{"lostPassword":false,"proof":"PASSWORD"},"prevHash":"0000000000000000000000000000000000000000000000000000000000000000","requestId":"Qx3n0Zr1m2b8c9d0e1f2gA","seq":1,"sourceIp":"203.0.113.7","type":"RecoveryRequested","userKey":"USER#adam","username":"Adam"}',
    );
    expect(chainHash(v1Record, GENESIS_HASH)).toBe(V1_HASH);
  });
});

describe('chain version 2: RFC 8785 (JCS)', () => {
  it('hashes JCS of the record, then prevHash (fixed vector)', () => {
    expect(chainHash(v2Record, V1_HASH)).toBe(V2_HASH);
  });

  it('gives the same hash as the canonicalize package and SHA-256 alone, over UTF-8', () => {
    const text = canonicalize(v2Record) ?? '';
    expect(text).toContain('"staffReason":"Rückruf: Nummer unbekannt – abgelehnt"');
    expect(createHash('sha256').update(text, 'utf8').update(V1_HASH).digest('hex')).toBe(V2_HASH);
  });

  it('covers the version itself: the same fields without chainVersion hash differently', () => {
    const { chainVersion: _chainVersion, ...asVersion1 } = v2Record;
    expect(chainHash(asVersion1, V1_HASH)).not.toBe(V2_HASH);
  });

  it('makes strings well-formed first, as JCS refuses a lone surrogate', () => {
    const sent = { ...v2Record, username: 'Ad\ud800am', reasons: ['\udc00'] };
    expect(() => chainHash(sent, V1_HASH)).toThrow('Lone surrogate');
    expect(wellFormed(sent)).toMatchObject({ username: 'Ad\ufffdam', reasons: ['\ufffd'] });
    expect(chainHash(wellFormed(sent), V1_HASH)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the worked example of docs/events.md', () => {
  const doc = readFileSync(join(import.meta.dirname, '../../docs/events.md'), 'utf8');
  const example = JSON.parse(doc.match(/## `detail`, schema version 1\n```json\n([\s\S]*?)\n```/)?.[1] ?? '');
  const jcsLine = doc.match(/## Re-verifying the hashes[\s\S]*?```text\n(.*)\n```/)?.[1];

  it('recomputes with the documented recipe, the canonicalize package and SHA-256 only', () => {
    const { schemaVersion: _schemaVersion, eventId: _eventId, hash, ...hashed } = example;
    expect(hashed.chainVersion).toBe(2);
    expect(canonicalize(hashed)).toBe(jcsLine);
    expect(
      createHash('sha256')
        .update(jcsLine ?? '', 'utf8')
        .update(hashed.prevHash)
        .digest('hex'),
    ).toBe(hash);
  });

  it('is what the product computes for that record', () => {
    const { schemaVersion: _schemaVersion, eventId: _eventId, hash, ...hashed } = example;
    expect(chainHash(hashed, hashed.prevHash)).toBe(hash);
  });
});
