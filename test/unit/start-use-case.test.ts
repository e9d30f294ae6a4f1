import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/recovery-keys';
import { hashRecoveryCode, normaliseRecoveryCode } from '../../functions/domain/recovery-codes';
import {
  AuthenticationFailedError,
  NoAuthenticatorError,
  RateLimitedError,
  TransientDependencyError,
} from '../../functions/shared/errors';
import { startRecovery } from '../../functions/use-cases/start-recovery';
import { fakeCognitoBudget } from '../support/cognito-budget';
import {
  directoryUser,
  fixedPepper,
  inMemoryAdmission,
  inMemoryAuditLog,
  inMemoryRateLimiter,
  inMemoryRecoveryCodes,
  inMemoryStarter,
  inMemoryUsers,
  interleaveWith,
} from '../support/in-memory';

// Accepting a request (POST /recoveries) over in-memory adapters with the stores' conditions: the
// one active slot per user, decoys, rate limits, recovery codes, and a workflow that fails to start.

const PEPPER = Buffer.alloc(32, 9);
const NOW = new Date('2026-12-07T12:00:00Z');
const CODE = 'ABCD-EFGH-JKMN-PQRS';

const alice = directoryUser('alice');

function world(options: { failingStart?: boolean } = {}) {
  const store = inMemoryAdmission();
  const audit = inMemoryAuditLog();
  const users = inMemoryUsers();
  const workflow = inMemoryStarter({ failing: options.failingStart ?? false });
  const recoveryCodes = inMemoryRecoveryCodes();
  users.add(alice, 'right password');
  users.add(
    { ...alice, username: 'nora', sub: 'sub-nora', email: 'nora@example.com', mfa: [] },
    'nora password',
  );
  recoveryCodes.put('sub-alice', [
    hashRecoveryCode(PEPPER, 'sub-alice', normaliseRecoveryCode(CODE) as string),
  ]);
  let imitated = 0;
  const deps = {
    directory: users,
    store,
    rateLimiter: inMemoryRateLimiter(),
    audit,
    workflow,
    recoveryCodes,
    pepper: fixedPepper(PEPPER),
    cognitoBudget: fakeCognitoBudget(),
    proofTiming: {
      measure: <T>(proof: () => Promise<T>) => proof(),
      imitate: async () => {
        imitated += 1;
      },
    },
    clock: () => NOW,
    settings: {
      passwordProofClientId: 'client',
      codeTtlSeconds: 600,
      approvalTimeoutSeconds: 3600,
      coolDownSeconds: 0,
      userRequestLimit: 3,
      userRequestWindowSeconds: 86_400,
      ipRequestLimit: 100,
      ipRequestWindowSeconds: 3600,
      maxCodeAttempts: 5,
      slotGraceSeconds: 60,
    },
  };
  return { deps, store, audit, users, workflow, imitations: () => imitated };
}

const ask = (fields: { username?: string; email?: string; password?: string; recoveryCode?: string }) => ({
  identifier: fields.email ? { email: fields.email } : { username: fields.username ?? 'alice' },
  password: fields.password,
  ...(fields.recoveryCode ? { recoveryCode: fields.recoveryCode } : {}),
  sourceIp: '203.0.113.9',
  userAgent: 'test',
});

afterEach(() => interleaveWith(() => 1));

describe('accepting a lost-device request', () => {
  it('with the right password: stores the request, records it, starts its workflow and holds the user’s slot', async () => {
    const { deps, store, audit, workflow } = world();
    const { requestId } = await startRecovery(ask({ password: 'right password' }), deps);
    expect(store.request(requestId)).toMatchObject({ status: 'STARTED', proof: 'PASSWORD' });
    expect(audit.events(requestId).map((event) => event.type)).toEqual(['RecoveryRequested']);
    expect(workflow.started).toEqual([requestId]);
    expect(store.slotHolder(keys.activeRecovery('sub-alice'))).toBe(requestId);
  });

  it('answers a wrong password and an unknown user alike, with no password proof for the unknown one', async () => {
    const { deps, users, imitations } = world();
    await expect(startRecovery(ask({ password: 'wrong' }), deps)).rejects.toBeInstanceOf(
      AuthenticationFailedError,
    );
    await expect(startRecovery(ask({ username: 'nobody', password: 'x' }), deps)).rejects.toBeInstanceOf(
      AuthenticationFailedError,
    );
    await expect(
      startRecovery(ask({ email: 'nobody@example.com', password: 'x' }), deps),
    ).rejects.toBeInstanceOf(AuthenticationFailedError);
    expect(users.proofs).toEqual(['alice']);
    expect(imitations()).toBe(2);
    await expect(
      startRecovery(ask({ username: 'nora', password: 'nora password' }), deps),
    ).rejects.toBeInstanceOf(NoAuthenticatorError);
  });

  it('lets "I also lost my password" answer the same for everyone, never touching the proven request', async () => {
    const { deps, store, workflow } = world();
    const proven = await startRecovery(ask({ password: 'right password' }), deps);
    const anonymous = await startRecovery(ask({ password: undefined }), deps);
    const again = await startRecovery(ask({ password: undefined }), deps);
    const unknown = await startRecovery(ask({ username: 'nobody', password: undefined }), deps);
    expect(new Set([proven.requestId, anonymous.requestId, again.requestId, unknown.requestId]).size).toBe(4);
    expect(store.request(again.requestId)).toMatchObject({ decoy: true, status: 'IGNORED' });
    expect(store.request(unknown.requestId)).toMatchObject({ decoy: true, status: 'IGNORED' });
    expect(workflow.started).toEqual([proven.requestId, anonymous.requestId]);
  });

  it('ends a request whose workflow did not start FAILED, with its record, and frees the slot for the next try', async () => {
    const { deps, store, audit } = world({ failingStart: true });
    await expect(startRecovery(ask({ password: 'right password' }), deps)).rejects.toThrow();
    const [failed] = store.requests();
    expect(failed?.status).toBe('FAILED');
    expect(audit.events(failed?.requestId ?? '').at(-1)).toMatchObject({ terminal: 'FAILED' });
    expect(store.slotHolder(keys.activeRecovery('sub-alice'))).toBeUndefined();
  });

  it('many requests of one user in any interleaving: one workflow, every answer its id, the slot its holder; a recovery code used at most once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('password', 'code', 'wrong'), { minLength: 2, maxLength: 6 }),
        fc.infiniteStream(fc.integer({ min: 0, max: 3 })),
        async (kinds, turns) => {
          const iterator = turns[Symbol.iterator]();
          interleaveWith(() => iterator.next().value ?? 1);
          const { deps, store, workflow, audit } = world();
          const results = await Promise.allSettled(
            kinds.map((kind) =>
              startRecovery(
                ask({
                  password: kind === 'wrong' ? 'wrong' : 'right password',
                  ...(kind === 'code' ? { recoveryCode: CODE } : {}),
                }),
                deps,
              ),
            ),
          );
          expect(workflow.started.length).toBeLessThanOrEqual(1);
          const ids = new Set(
            results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.requestId] : [])),
          );
          if (workflow.started.length === 1) {
            const [running] = workflow.started;
            expect([...ids]).toEqual([running]);
            expect(store.slotHolder(keys.activeRecovery('sub-alice'))).toBe(running);
          }
          const used = audit
            .events(workflow.started[0] ?? '')
            .filter((event) => event.type === 'RecoveryCodeUsed');
          expect(used.length).toBeLessThanOrEqual(1);
          for (const result of results) {
            if (result.status === 'rejected') {
              // A wrong password, a slot still contended, or (six codes at once) the code's own tries spent.
              expect(
                result.reason instanceof AuthenticationFailedError ||
                  result.reason instanceof TransientDependencyError ||
                  result.reason instanceof RateLimitedError,
              ).toBe(true);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
