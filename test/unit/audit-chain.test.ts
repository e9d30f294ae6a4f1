import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, GENESIS_HASH } from '../../functions/domain/audit-chain';

describe('canonical encoding of audit events', () => {
  it('does not depend on key order, at any depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'x' } })).toBe(
      canonicalJson({ a: { c: 'x', d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
  });

  it('drops undefined fields, as DynamoDB does not store them', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
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
});
