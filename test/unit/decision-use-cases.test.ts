import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecoveryRequest } from '../../functions/domain/recovery';
import { DecisionConflictError, ForbiddenError, UnauthenticatedError } from '../../functions/shared/errors';
import { approve, deny } from '../../functions/use-cases/support-approval';
import { fakeCognitoBudget } from '../support/cognito-budget';
import {
  directoryUser,
  inMemoryApprovals,
  inMemoryAuditLog,
  inMemoryStaff,
  inMemoryStore,
  inMemoryWorkflow,
  interleaveWith,
} from '../support/in-memory';

// Support decisions over in-memory adapters with the stores' conditions: approvals by several
// people, denials, and staff checked live at each decision, in random interleavings.

const NOW = new Date('2026-12-07T12:00:00Z');
const nowSeconds = NOW.getTime() / 1000;
const ID = 'BBBBBBBBBBBBBBBBBBBBBB';
const GROUP = 'mfa-recovery-support';

function world(options: { requiredApprovals?: number; approvalExpiresAt?: number } = {}) {
  const store = inMemoryStore();
  const approvals = inMemoryApprovals();
  const audit = inMemoryAuditLog();
  const workflow = inMemoryWorkflow();
  const directory = inMemoryStaff();
  const request: RecoveryRequest = {
    requestId: ID,
    username: 'adam',
    sub: 'sub-adam',
    status: 'AWAITING_APPROVAL',
    createdAt: NOW.toISOString(),
    decoy: false,
    proof: 'PASSWORD',
    sourceIp: '203.0.113.9',
    userAgent: 'test',
    email: 'adam@example.com',
    approvalExpiresAt: options.approvalExpiresAt ?? nowSeconds + 3600,
    waitToken: 'task-token',
  };
  store.put(request);
  approvals.put({
    requestId: ID,
    username: 'adam',
    sub: 'sub-adam',
    status: 'PENDING',
    risk: { level: 'HIGH', reasons: ['PRIVILEGED_GROUP:admins'] },
    proof: 'PASSWORD',
    requestedAt: NOW.toISOString(),
    requiredApprovals: options.requiredApprovals ?? 2,
    approvers: [],
    decisions: [],
    expiresAt: request.approvalExpiresAt as number,
  });
  for (const name of ['sam', 'sara', 'sue']) directory.add(directoryUser(name), [GROUP], `token-${name}`);
  directory.add(directoryUser('adam'), [GROUP, 'admins'], 'token-adam');
  const deps = {
    store,
    approvals,
    audit,
    workflow,
    directory,
    cognitoBudget: fakeCognitoBudget(),
    clock: () => NOW,
    supportGroup: GROUP,
    checklist: ['Called back on the number in HR'],
  };
  return { store, approvals, audit, workflow, directory, deps };
}

const staff = (username: string) => ({
  sub: `sub-${username}`,
  username,
  groups: [GROUP],
  accessToken: `token-${username}`,
});
const decision = (username: string, checklist: string[] = []) => ({
  requestId: ID,
  reason: `checked by ${username}`,
  checklist,
  staff: staff(username),
});

afterEach(() => interleaveWith(() => 1));

describe('a support decision', () => {
  it('needs two different people for a privileged account: 1 of 2, then APPROVED in the same write as its record', async () => {
    const { deps, store, audit, workflow } = world();
    expect(await approve(decision('sam', ['Called back on the number in HR']), deps)).toMatchObject({
      status: 'PENDING',
      approvals: 1,
      requiredApprovals: 2,
      approvers: ['sam'],
    });
    expect(await approve(decision('sam'), deps)).toMatchObject({ status: 'PENDING', approvals: 1 });
    expect(store.request(ID)?.status).toBe('AWAITING_APPROVAL');
    expect(workflow.woken).toEqual([]);
    expect(await approve(decision('sara'), deps)).toMatchObject({ status: 'APPROVED', approvals: 2 });
    expect(store.request(ID)?.status).toBe('APPROVED');
    expect(audit.events(ID).map((event) => event.outcome)).toEqual(['PARTIAL', 'APPROVED']);
    expect(workflow.woken).toEqual(['task-token']);
  });

  it('checks the person live: no decision on one’s own account, after being signed out or removed from the group', async () => {
    const { deps, directory, audit } = world();
    await expect(approve(decision('adam'), deps)).rejects.toBeInstanceOf(ForbiddenError);
    directory.signOut('token-sam');
    await expect(approve(decision('sam'), deps)).rejects.toBeInstanceOf(UnauthenticatedError);
    directory.removeFromGroups('sara');
    await expect(deny(decision('sara'), deps)).rejects.toBeInstanceOf(ForbiddenError);
    expect(audit.events(ID)).toEqual([]);
  });

  it('refuses a decision past the deadline', async () => {
    const { deps, store } = world({ approvalExpiresAt: nowSeconds });
    await expect(approve(decision('sam'), deps)).rejects.toBeInstanceOf(DecisionConflictError);
    expect(store.request(ID)?.status).toBe('AWAITING_APPROVAL');
  });

  it('approvals and denials by several people in any interleaving: one outcome, never both, never more approvals than needed, the trail matching the state', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ who: fc.constantFrom('sam', 'sara', 'sue'), verb: fc.constantFrom('approve', 'deny') }),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.infiniteStream(fc.integer({ min: 0, max: 3 })),
        async (decisions, turns) => {
          const iterator = turns[Symbol.iterator]();
          interleaveWith(() => iterator.next().value ?? 1);
          const { deps, store, audit, approvals } = world();
          const results = await Promise.allSettled(
            decisions.map(({ who, verb }) => (verb === 'approve' ? approve : deny)(decision(who), deps)),
          );
          const status = store.request(ID)?.status;
          const outcomes = audit.events(ID).map((event) => event.outcome);
          expect(outcomes.filter((o) => o === 'DENIED').length).toBeLessThanOrEqual(1);
          expect(outcomes.filter((o) => o === 'APPROVED').length).toBeLessThanOrEqual(1);
          expect(outcomes.includes('DENIED') && outcomes.includes('APPROVED')).toBe(false);
          expect(approvals.approval(ID)?.approverSubs.length).toBeLessThanOrEqual(2);
          expect(new Set(approvals.approval(ID)?.approverSubs).size).toBe(
            approvals.approval(ID)?.approverSubs.length,
          );
          if (status === 'DENIED') expect(outcomes).toContain('DENIED');
          if (status === 'APPROVED') expect(outcomes).toContain('APPROVED');
          if (status === 'AWAITING_APPROVAL') expect(outcomes.filter((o) => o !== 'PARTIAL')).toEqual([]);
          decisions.forEach(({ verb }, index) => {
            const result = results[index];
            if (result?.status !== 'fulfilled') return;
            if (verb === 'deny') expect(status).toBe('DENIED');
            if ((result.value as { status: string }).status === 'APPROVED') expect(status).toBe('APPROVED');
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
