import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { activeSlotOf } from '../../functions/adapters/recovery-keys';
import type { Challenge, RecoveryRequest } from '../../functions/domain/recovery';
import { cancelTokenFor, hashEmailCode } from '../../functions/domain/secrets';
import { TotpResetUnsupportedError } from '../../functions/shared/errors';
import { cancelRecovery } from '../../functions/use-cases/cancel-recovery';
import { removeTotp } from '../../functions/use-cases/workflow-steps';
import { fakeCognitoBudget } from '../support/cognito-budget';
import {
  directoryUser,
  fixedPepper,
  inMemoryAuditLog,
  inMemoryFactors,
  inMemoryStore,
  inMemoryWorkflow,
  interleaveWith,
} from '../support/in-memory';

// RemoveTotp over in-memory adapters: the guarded move into REMOVING, the removal, the read-back,
// and the one race that matters most: a cancel against the removal.

const PEPPER = Buffer.alloc(32, 3);
const NOW = new Date('2026-12-07T12:00:00Z');
const ID = 'CCCCCCCCCCCCCCCCCCCCCC';

function world(
  request: Partial<RecoveryRequest> = {},
  pool: { poolMfa?: 'ON' | 'OPTIONAL'; withoutDeleteSoftwareToken?: boolean } = {},
) {
  const store = inMemoryStore();
  const audit = inMemoryAuditLog();
  const directory = inMemoryFactors(pool);
  const stored: RecoveryRequest = {
    requestId: ID,
    username: 'alice',
    sub: 'sub-alice',
    status: 'CONFIRMED',
    needsApproval: false,
    createdAt: NOW.toISOString(),
    decoy: false,
    proof: 'PASSWORD',
    sourceIp: '203.0.113.9',
    userAgent: 'test',
    ...request,
  };
  const challenge: Challenge = {
    requestId: ID,
    codeHash: hashEmailCode(PEPPER, ID, '12345678'),
    cancelSalt: 'salt',
    expiresAt: NOW.getTime() / 1000 + 600,
    attempts: 0,
    maxAttempts: 5,
  };
  store.put(stored, challenge);
  store.holdSlot(activeSlotOf(stored), ID);
  directory.add(directoryUser('alice'));
  const deps = {
    store,
    audit,
    directory,
    cognitoBudget: fakeCognitoBudget(),
    clock: () => NOW,
    coolDownSeconds: 0,
  };
  const cancelDeps = {
    store,
    audit,
    workflow: inMemoryWorkflow(),
    pepper: fixedPepper(PEPPER),
    clock: () => NOW,
  };
  return { store, audit, directory, deps, cancelDeps, token: cancelTokenFor(PEPPER, ID, 'salt') };
}

const types = (events: { type: string }[]) => events.map((event) => event.type);

afterEach(() => interleaveWith(() => 1));

describe('removing the TOTP factor', () => {
  it('moves a confirmed low-risk request to REMOVING, removes the factor, reads the user back, and records both steps', async () => {
    const { deps, store, audit, directory } = world();
    expect(await removeTotp(ID, deps)).toEqual({ removed: true, method: 'AdminDeleteSoftwareToken' });
    expect(directory.hasTotp('alice')).toBe(false);
    expect(store.request(ID)?.status).toBe('REMOVED');
    expect(types(audit.events(ID))).toEqual(['RemovalStarted', 'TotpRemoved']);
    // A retried step finds the work done and changes nothing.
    expect(await removeTotp(ID, deps)).toEqual({ removed: true });
    expect(audit.events(ID)).toHaveLength(2);
  });

  it('never removes the factor of a request that needs approval, was cancelled, or whose cool-down has not ended', async () => {
    for (const request of [
      { needsApproval: true },
      { status: 'CANCELLED' as const, terminal: 'CANCELLED' as const },
      { status: 'COOLING_DOWN' as const, resetAt: new Date(NOW.getTime() + 60_000).toISOString() },
      { status: 'APPROVED' as const },
    ]) {
      const { deps, directory, audit } = world(request);
      const coolDown = request.status === 'APPROVED' ? { ...deps, coolDownSeconds: 600 } : deps;
      expect(await removeTotp(ID, coolDown), JSON.stringify(request)).toEqual({ removed: false });
      expect(directory.hasTotp('alice')).toBe(true);
      expect(audit.events(ID)).toEqual([]);
    }
    const due = world({ status: 'COOLING_DOWN', resetAt: NOW.toISOString() });
    expect(await removeTotp(ID, due.deps)).toMatchObject({ removed: true });
  });

  it('in a region without AdminDeleteSoftwareToken: refuses for an MFA-required pool (the old API would answer 200 and change nothing), falls back for an optional one', async () => {
    const required = world({}, { poolMfa: 'ON', withoutDeleteSoftwareToken: true });
    await expect(removeTotp(ID, required.deps)).rejects.toBeInstanceOf(TotpResetUnsupportedError);
    expect(required.directory.hasTotp('alice')).toBe(true);
    const optional = world({}, { poolMfa: 'OPTIONAL', withoutDeleteSoftwareToken: true });
    expect(await removeTotp(ID, optional.deps)).toEqual({
      removed: true,
      method: 'AdminSetUserMFAPreference',
    });
    expect(optional.directory.hasTotp('alice')).toBe(false);
  });

  it('a cancel racing the removal in any interleaving: a cancel that answered 200 leaves the factor, a removed factor means no cancel was recorded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.infiniteStream(fc.integer({ min: 0, max: 4 })),
        fc.boolean(),
        async (turns, cancelFirst) => {
          const iterator = turns[Symbol.iterator]();
          interleaveWith(() => iterator.next().value ?? 1);
          const { deps, cancelDeps, token, directory, store, audit } = world();
          const cancel = () =>
            cancelRecovery({ requestId: ID, token, sourceIp: '203.0.113.9', userAgent: 'x' }, cancelDeps);
          const remove = () => removeTotp(ID, deps);
          const [first, second] = await Promise.allSettled(
            cancelFirst ? [cancel(), remove()] : [remove(), cancel()],
          );
          const cancelled = (cancelFirst ? first : second)?.status === 'fulfilled';
          const removed = directory.hasTotp('alice') === false;
          expect(cancelled && removed).toBe(false);
          if (cancelled) expect(store.request(ID)?.status).toBe('CANCELLED');
          if (removed) expect(types(audit.events(ID))).not.toContain('RecoveryCancelled');
          expect(audit.events(ID).filter((event) => event.terminal).length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 200 },
    );
  });
});
