import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { activeSlotOf } from '../../functions/adapters/recovery-keys';
import type { Challenge, RecoveryRequest } from '../../functions/domain/recovery';
import { cancelTokenFor, hashEmailCode } from '../../functions/domain/secrets';
import { RecoveryGoneError, WrongCodeError } from '../../functions/shared/errors';
import { cancelRecovery } from '../../functions/use-cases/cancel-recovery';
import { confirmCode } from '../../functions/use-cases/confirm-code';
import {
  fixedPepper,
  inMemoryAuditLog,
  inMemoryStore,
  inMemoryWorkflow,
  interleaveWith,
} from '../support/in-memory';

// The code confirmation and the "this was not me" cancel over in-memory adapters with the store's
// conditional semantics: milliseconds per case, so races can be tried by the hundred.

const PEPPER = Buffer.alloc(32, 7);
const NOW = new Date('2026-12-07T12:00:00Z');
const nowSeconds = NOW.getTime() / 1000;
const ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const CODE = '12345678';
const SALT = 'salt-1';
const client = { sourceIp: '203.0.113.9', userAgent: 'test' };

function world(
  options: {
    status?: RecoveryRequest['status'];
    maxAttempts?: number;
    expiresAt?: number;
    failingWake?: boolean;
  } = {},
) {
  const store = inMemoryStore();
  const audit = inMemoryAuditLog();
  const workflow = inMemoryWorkflow({ failing: options.failingWake ?? false });
  const request: RecoveryRequest = {
    requestId: ID,
    username: 'alice',
    sub: 'sub-alice',
    status: options.status ?? 'CODE_SENT',
    createdAt: NOW.toISOString(),
    decoy: options.status === 'IGNORED',
    proof: 'PASSWORD',
    sourceIp: client.sourceIp,
    userAgent: client.userAgent,
    waitToken: 'task-token',
  };
  const challenge: Challenge = {
    requestId: ID,
    codeHash: hashEmailCode(PEPPER, ID, CODE),
    cancelSalt: SALT,
    expiresAt: options.expiresAt ?? nowSeconds + 600,
    attempts: 0,
    maxAttempts: options.maxAttempts ?? 3,
  };
  store.put(request, challenge);
  store.holdSlot(activeSlotOf(request), ID);
  const deps = { store, audit, workflow, pepper: fixedPepper(PEPPER), clock: () => NOW };
  const token = cancelTokenFor(PEPPER, ID, SALT);
  return { store, audit, workflow, deps, token, request };
}

const types = (events: { type: string }[]) => events.map((event) => event.type);
const terminals = (events: { terminal?: string }[]) => events.filter((event) => event.terminal);

afterEach(() => interleaveWith(() => 1));

describe('confirming the emailed code', () => {
  it('moves CODE_SENT to CONFIRMED with one audit record, then wakes the workflow', async () => {
    const { deps, store, audit, workflow } = world();
    expect(await confirmCode({ requestId: ID, code: CODE, ...client }, deps)).toEqual({
      status: 'CONFIRMED',
    });
    expect(store.request(ID)?.status).toBe('CONFIRMED');
    expect(types(audit.events(ID))).toEqual(['CodeConfirmed']);
    expect(workflow.woken).toEqual(['task-token']);
  });

  it('reads the request and its challenge once, and wakes with the token read then; the request is read again only when that task had closed', async () => {
    const { deps, store, workflow } = world();
    const reads: string[] = [];
    const counting = (name: 'getRequest' | 'getRequestAndChallenge' | 'getChallenge') => {
      const read = store[name].bind(store) as (id: string) => Promise<unknown>;
      return (id: string) => {
        reads.push(name);
        return read(id);
      };
    };
    const counted = {
      ...deps,
      store: Object.assign(Object.create(store), {
        getRequest: counting('getRequest'),
        getChallenge: counting('getChallenge'),
        getRequestAndChallenge: counting('getRequestAndChallenge'),
      }),
    };
    await confirmCode({ requestId: ID, code: CODE, ...client }, counted);
    expect(workflow.woken).toEqual(['task-token']);
    expect(reads).toEqual(['getRequestAndChallenge']);

    // The wait that held the token read before the decision closed; a new wait stored its own token.
    const second = world();
    const closed = new Set(['task-token']);
    const woken: string[] = [];
    const newTokenAfterRead = {
      ...second.deps,
      workflow: {
        wake: async (token: string) => {
          if (closed.has(token)) return false;
          woken.push(token);
          return true;
        },
      },
      store: Object.assign(Object.create(second.store), {
        getRequest: async (id: string) => {
          const request = await second.store.getRequest(id);
          return request && { ...request, waitToken: 'task-token-2' };
        },
      }),
    };
    await confirmCode({ requestId: ID, code: CODE, ...client }, newTokenAfterRead);
    expect(woken).toEqual(['task-token-2']);
  });

  it('keeps the decision when waking the workflow fails (the task reads it when its wait ends)', async () => {
    const { deps, store } = world({ failingWake: true });
    expect(await confirmCode({ requestId: ID, code: CODE, ...client }, deps)).toEqual({
      status: 'CONFIRMED',
    });
    expect(store.request(ID)?.status).toBe('CONFIRMED');
  });

  it('counts wrong codes and locks the request with its terminal record at the last one; the right code is then gone', async () => {
    const { deps, store, audit } = world({ maxAttempts: 3 });
    const wrong = () => confirmCode({ requestId: ID, code: '00000000', ...client }, deps);
    await expect(wrong()).rejects.toMatchObject({ attemptsLeft: 2 });
    await expect(wrong()).rejects.toMatchObject({ attemptsLeft: 1 });
    await expect(wrong()).rejects.toBeInstanceOf(WrongCodeError);
    expect(store.request(ID)?.status).toBe('LOCKED');
    expect(terminals(audit.events(ID))).toEqual([
      expect.objectContaining({ type: 'RecoveryLocked', terminal: 'LOCKED' }),
    ]);
    await expect(confirmCode({ requestId: ID, code: CODE, ...client }, deps)).rejects.toBeInstanceOf(
      RecoveryGoneError,
    );
  });

  it('answers gone for an expired code, and lets a decoy count wrong codes but never confirm', async () => {
    const expired = world({ expiresAt: nowSeconds });
    await expect(confirmCode({ requestId: ID, code: CODE, ...client }, expired.deps)).rejects.toBeInstanceOf(
      RecoveryGoneError,
    );
    const decoy = world({ status: 'IGNORED' });
    await expect(confirmCode({ requestId: ID, code: CODE, ...client }, decoy.deps)).rejects.toMatchObject({
      attemptsLeft: 2,
    });
    expect(decoy.store.request(ID)?.status).toBe('IGNORED');
  });

  it('confirms once however many right codes race, each in any interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 8 }),
        fc.infiniteStream(fc.integer({ min: 0, max: 3 })),
        async (racers, turns) => {
          const iterator = turns[Symbol.iterator]();
          interleaveWith(() => iterator.next().value ?? 1);
          const { deps, audit } = world();
          const results = await Promise.allSettled(
            Array.from({ length: racers }, () => confirmCode({ requestId: ID, code: CODE, ...client }, deps)),
          );
          expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
          expect(types(audit.events(ID)).filter((type) => type === 'CodeConfirmed')).toHaveLength(1);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('the "this was not me" cancel', () => {
  it('ends the request CANCELLED with one terminal record, frees the slot, and answers the same when repeated', async () => {
    const { deps, store, audit, token, request } = world();
    expect(await cancelRecovery({ requestId: ID, token, ...client }, deps)).toEqual({ status: 'CANCELLED' });
    expect(await cancelRecovery({ requestId: ID, token, ...client }, deps)).toEqual({ status: 'CANCELLED' });
    expect(store.request(ID)?.status).toBe('CANCELLED');
    expect(terminals(audit.events(ID))).toHaveLength(1);
    expect(store.slotHolder(activeSlotOf(request))).toBeUndefined();
  });

  it('refuses a wrong token like an ended request, changing nothing', async () => {
    const { deps, store, audit } = world();
    await expect(
      cancelRecovery({ requestId: ID, token: 'not-the-token', ...client }, deps),
    ).rejects.toBeInstanceOf(RecoveryGoneError);
    expect(store.request(ID)?.status).toBe('CODE_SENT');
    expect(audit.events(ID)).toEqual([]);
  });

  it('racing the code and wrong codes in any order: at most one terminal record, a 200 cancel always ends CANCELLED, the state matches the trail', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('cancel', 'right', 'wrong'), { minLength: 1, maxLength: 8 }),
        fc.infiniteStream(fc.integer({ min: 0, max: 3 })),
        async (actions, turns) => {
          const iterator = turns[Symbol.iterator]();
          interleaveWith(() => iterator.next().value ?? 1);
          const { deps, store, audit, token } = world({ maxAttempts: 2 });
          const results = await Promise.allSettled(
            actions.map((action) =>
              action === 'cancel'
                ? cancelRecovery({ requestId: ID, token, ...client }, deps)
                : confirmCode(
                    { requestId: ID, code: action === 'right' ? CODE : '00000000', ...client },
                    deps,
                  ),
            ),
          );
          const events = audit.events(ID);
          const ends = terminals(events);
          expect(ends.length).toBeLessThanOrEqual(1);
          const status = store.request(ID)?.status;
          if (ends[0]) expect(status).toBe(ends[0].terminal);
          const cancelled = actions.some(
            (action, index) => action === 'cancel' && results[index]?.status === 'fulfilled',
          );
          if (cancelled) expect(status).toBe('CANCELLED');
          if (status === 'CONFIRMED') expect(types(events)).toContain('CodeConfirmed');
          expect(types(events).filter((type) => type === 'CodeConfirmed').length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 200 },
    );
  });
});
