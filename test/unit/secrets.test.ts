import { describe, expect, it } from 'vitest';
import {
  cancelTokenFor,
  hashEmailCode,
  newCancelSalt,
  newEmailCode,
  newRequestId,
  normaliseEmailCode,
  REQUEST_ID_PATTERN,
  sameHash,
} from '../../functions/domain/secrets';

const pepper = Buffer.alloc(32, 7);

describe('request ids', () => {
  it('carry 128 random bits in a URL-safe form the API accepts', () => {
    const ids = new Set(Array.from({ length: 1000 }, newRequestId));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(REQUEST_ID_PATTERN);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });
});

describe('recovery codes', () => {
  it('are 8 digits, zero-padded, and spread over the whole range', () => {
    const codes = Array.from({ length: 5000 }, newEmailCode);
    for (const code of codes) expect(code).toMatch(/^\d{8}$/);
    const firstDigits = new Set(codes.map((code) => code[0]));
    expect(firstDigits.size).toBe(10);
  });

  it('accept what people paste: spaces, a dash, surrounding blanks', () => {
    expect(normaliseEmailCode('1234 5678')).toBe('12345678');
    expect(normaliseEmailCode('1234-5678')).toBe('12345678');
    expect(normaliseEmailCode('  12 34 56 78 ')).toBe('12345678');
  });

  it('refuse anything that is not exactly 8 digits', () => {
    for (const bad of ['1234567', '123456789', '1234567a', '', '１２３４５６７８', '1234_5678']) {
      expect(normaliseEmailCode(bad), bad).toBeUndefined();
    }
  });

  it('are stored as an HMAC bound to the request, never as themselves', () => {
    const hash = hashEmailCode(pepper, 'request-a', '12345678');
    expect(hash).not.toContain('12345678');
    expect(hash).not.toBe(hashEmailCode(pepper, 'request-b', '12345678'));
    expect(hash).not.toBe(hashEmailCode(Buffer.alloc(32, 8), 'request-a', '12345678'));
    expect(hash).toBe(hashEmailCode(pepper, 'request-a', '12345678'));
  });
});

describe('cancel tokens', () => {
  it('are 256 bits derived from the pepper, the request and its salt, apart from code hashes', () => {
    const salt = newCancelSalt();
    const token = cancelTokenFor(pepper, 'r', salt);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(token).toBe(cancelTokenFor(pepper, 'r', salt));
    expect(token).not.toBe(cancelTokenFor(pepper, 'r', newCancelSalt()));
    expect(token).not.toBe(cancelTokenFor(pepper, 'other', salt));
    expect(token).not.toBe(cancelTokenFor(Buffer.alloc(32, 9), 'r', salt));
    expect(token).not.toBe(hashEmailCode(pepper, 'r', salt));
  });
});

describe('comparing hashes', () => {
  it('tells equal from different, including different lengths', () => {
    expect(sameHash('abc', 'abc')).toBe(true);
    expect(sameHash('abc', 'abd')).toBe(false);
    expect(sameHash('abc', 'abcd')).toBe(false);
  });
});
