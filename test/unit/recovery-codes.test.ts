import { describe, expect, it } from 'vitest';
import type { RecoveryCodeStore } from '../../functions/adapters/recovery-code-store';
import { createVoices } from '../../functions/domain/emails';
import {
  hashRecoveryCode,
  newRecoveryCodes,
  normaliseRecoveryCode,
  RECOVERY_CODE_COUNT,
} from '../../functions/domain/recovery-codes';
import {
  FRESH_SIGN_IN_SECONDS,
  issueRecoveryCodes,
  noticeNewAuthenticator,
} from '../../functions/use-cases/recovery-codes';
import { fakeCognitoBudget } from '../support/cognito-budget';

const pepper = Buffer.alloc(32, 7);

describe('saved recovery codes', () => {
  it('are 10 codes of 16 Crockford base32 characters (80 bits), with no two alike in 5000', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    const many = Array.from({ length: 500 }, () => newRecoveryCodes()).flat();
    expect(new Set(many).size).toBe(many.length);
    // Every character of the alphabet turns up: the bits are spread over all 32 symbols.
    expect(new Set(many.join('').replaceAll('-', '')).size).toBe(32);
  });

  it('read back what people type: any case, spaces or hyphens, O for 0 and I or L for 1', () => {
    expect(normaliseRecoveryCode('abcd-efgh-jkmn-pqrs')).toBe('ABCDEFGHJKMNPQRS');
    expect(normaliseRecoveryCode(' 0oIl 2345 6789 ABCD ')).toBe('0011234567 89ABCD'.replace(' ', ''));
    for (const bad of [
      '',
      'ABCD-EFGH-JKMN-PQR',
      'ABCD-EFGH-JKMN-PQRSX',
      'ABCD-EFGH-JKMN-PQRU',
      '1234567890123456!',
    ]) {
      expect(normaliseRecoveryCode(bad), bad).toBeUndefined();
    }
  });

  it('are stored as an HMAC bound to the user and the pepper', () => {
    const hash = hashRecoveryCode(pepper, 'sub-a', 'ABCDEFGHJKMNPQRS');
    expect(hash).not.toContain('ABCDEFGHJKMNPQRS');
    expect(hash).not.toBe(hashRecoveryCode(pepper, 'sub-b', 'ABCDEFGHJKMNPQRS'));
    expect(hash).not.toBe(hashRecoveryCode(Buffer.alloc(32, 8), 'sub-a', 'ABCDEFGHJKMNPQRS'));
    expect(hash).toBe(hashRecoveryCode(pepper, 'sub-a', 'ABCDEFGHJKMNPQRS'));
  });
});

describe('issuing a set', () => {
  const authTime = 1_800_000_000;
  const user = {
    sub: 'sub-a',
    username: 'alice',
    authTime,
    accessToken: 'token',
    sourceIp: '127.0.0.1',
    userAgent: 'test',
  };
  function deps(nowSeconds: number, signedIn = true) {
    const stored: { hashes?: readonly string[] } = {};
    const events: Record<string, unknown>[] = [];
    return {
      stored,
      events,
      deps: {
        codes: {
          replace: async (_sub: string, hashes: readonly string[]) => {
            stored.hashes = hashes;
          },
        } as unknown as RecoveryCodeStore,
        pepper: { current: async () => pepper, verifying: async () => [pepper] },
        audit: {
          append: async (event: Record<string, unknown>) => {
            events.push(event);
          },
        } as never,
        directory: {
          userOfAccessToken: async () =>
            signedIn
              ? {
                  username: 'alice',
                  sub: 'sub-a',
                  emailVerified: true,
                  phoneVerified: false,
                  mfa: ['SOFTWARE_TOKEN_MFA'],
                }
              : undefined,
        },
        cognitoBudget: fakeCognitoBudget(),
        clock: () => new Date(nowSeconds * 1000),
      },
    };
  }

  it('needs a sign-in from the last 10 minutes, still valid now', async () => {
    const stale = deps(authTime + FRESH_SIGN_IN_SECONDS + 1);
    await expect(issueRecoveryCodes(user, stale.deps)).rejects.toMatchObject({ status: 401 });
    expect(stale.stored.hashes).toBeUndefined();
    const signedOut = deps(authTime + 60, false);
    await expect(issueRecoveryCodes(user, signedOut.deps)).rejects.toMatchObject({ status: 401 });
    const fresh = deps(authTime + FRESH_SIGN_IN_SECONDS);
    const issued = await issueRecoveryCodes(user, fresh.deps);
    expect(issued.codes).toHaveLength(10);
    expect(fresh.stored.hashes).toEqual(
      issued.codes.map((code) => hashRecoveryCode(pepper, 'sub-a', normaliseRecoveryCode(code) as string)),
    );
    expect(fresh.events).toEqual([
      expect.objectContaining({ type: 'RecoveryCodesIssued', details: { count: 10 } }),
    ]);
    expect(JSON.stringify(fresh.events)).not.toContain(issued.codes[0]);
  });
});

describe('the notice of a new authenticator', () => {
  it('is sent only for an account that has TOTP now, to each verified channel, and audited', async () => {
    const sent: string[] = [];
    const events: Record<string, unknown>[] = [];
    const account = {
      username: 'alice',
      sub: 'sub-a',
      email: 'a@example.com',
      emailVerified: true,
      phoneNumber: '+15555550100',
      phoneVerified: true,
    };
    const deps = (mfa: string[]) => ({
      audit: { append: async (event: Record<string, unknown>) => void events.push(event) } as never,
      directory: { userOfAccessToken: async () => ({ ...account, mfa }) },
      cognitoBudget: fakeCognitoBudget(),
      mailer: {
        send: async (message: { to: string }) => void sent.push(`mail:${message.to}`),
        voice: createVoices(),
      },
      texter: { send: async (to: string) => void sent.push(`sms:${to}`), voice: createVoices() },
    });
    const user = {
      sub: 'sub-a',
      username: 'alice',
      authTime: 0,
      accessToken: 't',
      sourceIp: '127.0.0.1',
      userAgent: 'x',
    };
    await expect(noticeNewAuthenticator(user, deps([]))).rejects.toMatchObject({ status: 400 });
    expect(sent).toEqual([]);
    expect(await noticeNewAuthenticator(user, deps(['SOFTWARE_TOKEN_MFA']))).toEqual({ notified: 2 });
    expect(sent).toEqual(['mail:a@example.com', 'sms:+15555550100']);
    expect(events).toEqual([
      expect.objectContaining({ type: 'AuthenticatorAdded', details: { channels: 2 } }),
    ]);
  });
});
