// In-memory adapters of the domain's ports (functions/domain/ports.ts), with the conditional
// semantics of the DynamoDB ones: a transition holds only from the states the table allows, a
// pending write commits only with its audit record, and nothing is appended after a terminal record.
// JavaScript runs one callback at a time, so a check and its write with no await between them are
// atomic, as a DynamoDB transaction is.

import type { Approval } from '../../functions/domain/approval';
import type { DirectoryUser } from '../../functions/domain/directory';
import type {
  AdmissionStore,
  ApprovalDecisions,
  AuditEventInput,
  AuditLog,
  ChallengeStore,
  FactorDirectory,
  PendingWrite,
  PepperSource,
  RateLimiter,
  RecoveryCodeLedger,
  SlotKey,
  StaffDirectory,
  UserLookup,
  Workflow,
  WorkflowStarter,
} from '../../functions/domain/ports';
import { type Challenge, type Move, meets, type RecoveryRequest } from '../../functions/domain/recovery';
import { allowedFrom, isTerminal } from '../../functions/domain/recovery-state';

/** What an in-memory pending write is underneath: a condition and what it changes. */
interface MemoryWrite {
  readonly holds: () => boolean;
  readonly apply: () => void;
}
const asPending = (write: MemoryWrite) => write as unknown as PendingWrite;
const asMemory = (write: PendingWrite) => write as unknown as MemoryWrite;

let hops: () => number = () => 1;

/** How many turns each call waits (a random number gives random interleavings); 1 by default. */
export function interleaveWith(turns: () => number): void {
  hops = turns;
}

/** Lets other tasks run, as a network round trip would: interleavings then happen between calls. */
async function roundTrip() {
  for (let turn = hops(); turn > 0; turn -= 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

export function inMemoryStore(): ChallengeStore & {
  put(request: RecoveryRequest, challenge?: Challenge): void;
  holdSlot(slot: { pk: string; sk: string }, requestId: string): void;
  slotHolder(slot: { pk: string; sk: string }): string | undefined;
  request(requestId: string): RecoveryRequest | undefined;
} {
  const requests = new Map<string, RecoveryRequest>();
  const challenges = new Map<string, Challenge>();
  const slots = new Map<string, string>();
  const slotKey = (slot: { pk: string; sk: string }) => `${slot.pk}\u0000${slot.sk}`;
  return {
    put(request, challenge) {
      requests.set(request.requestId, request);
      if (challenge) challenges.set(challenge.requestId, challenge);
    },
    holdSlot: (slot, requestId) => void slots.set(slotKey(slot), requestId),
    slotHolder: (slot) => slots.get(slotKey(slot)),
    request: (requestId) => requests.get(requestId),
    async getRequest(requestId) {
      await roundTrip();
      return requests.get(requestId);
    },
    async getChallenge(requestId) {
      await roundTrip();
      return challenges.get(requestId);
    },
    async getRequestAndChallenge(requestId) {
      await roundTrip();
      const request = requests.get(requestId);
      const challenge = challenges.get(requestId);
      return { ...(request ? { request } : {}), ...(challenge ? { challenge } : {}) };
    },
    move(requestId: string, move: Move) {
      const from = move.from.filter((status) => allowedFrom(move.to).includes(status));
      if (from.length === 0)
        throw new Error(`no allowed transition to ${move.to} from ${move.from.join(',')}`);
      return asPending({
        holds: () => {
          const request = requests.get(requestId);
          return request !== undefined && from.includes(request.status) && meets(request, move.when);
        },
        apply: () => {
          const request = requests.get(requestId) as RecoveryRequest;
          requests.set(requestId, {
            ...request,
            ...(move.set ?? {}),
            status: move.to,
            ...(isTerminal(move.to) ? { terminal: move.to } : {}),
          });
        },
      });
    },
    challengeStillValid(requestId, codeHash, nowSeconds) {
      return asPending({
        holds: () => {
          const challenge = challenges.get(requestId);
          return (
            challenge !== undefined &&
            challenge.codeHash === codeHash &&
            challenge.attempts < challenge.maxAttempts &&
            challenge.expiresAt > nowSeconds
          );
        },
        apply: () => undefined,
      });
    },
    async countWrongAttempt(requestId, nowSeconds) {
      await roundTrip();
      const challenge = challenges.get(requestId);
      if (!challenge || challenge.expiresAt <= nowSeconds || challenge.attempts >= challenge.maxAttempts) {
        return undefined;
      }
      challenges.set(requestId, { ...challenge, attempts: challenge.attempts + 1 });
      return challenge.attempts + 1;
    },
    async unlockUser(slot, requestId) {
      await roundTrip();
      if (slots.get(slotKey(slot)) === requestId) slots.delete(slotKey(slot));
    },
  };
}

/** The audit trail in memory: per request, in order; nothing after the terminal record. */
export function inMemoryAuditLog(): AuditLog & { events(requestId: string): AuditEventInput[] } {
  const chains = new Map<string, AuditEventInput[]>();
  const ended = (requestId: string) => (chains.get(requestId) ?? []).some((event) => event.terminal);
  const add = (input: AuditEventInput) =>
    chains.set(input.requestId, [...(chains.get(input.requestId) ?? []), input]);
  return {
    events: (requestId) => chains.get(requestId) ?? [],
    async append(input) {
      await roundTrip();
      if (ended(input.requestId)) return undefined;
      add(input);
      return input;
    },
    async appendWith(input, writes) {
      await roundTrip();
      const memory = writes.map(asMemory);
      if (ended(input.requestId) || !memory.every((write) => write.holds())) return false;
      for (const write of memory) write.apply();
      add(input);
      return true;
    },
    async startChain(inputs, writes) {
      await roundTrip();
      const requestId = inputs[0]?.requestId ?? '';
      const memory = writes.map(asMemory);
      // Events written before the start (a repeat joining a twin being accepted) stay first.
      if (ended(requestId) || !memory.every((write) => write.holds())) return false;
      for (const write of memory) write.apply();
      for (const input of inputs) add(input);
      return true;
    },
  };
}

/** A workflow that records its wake-ups; `failing` makes them throw, as a throttled SendTaskSuccess would. */
export function inMemoryWorkflow(options: { failing?: boolean } = {}): Workflow & { woken: string[] } {
  const woken: string[] = [];
  return {
    woken,
    async wake(taskToken) {
      await roundTrip();
      if (options.failing) throw new Error('ThrottlingException');
      woken.push(taskToken);
      return true;
    },
  };
}

/** A fixed pepper (and, with `previous`, a rotated-out one that still verifies). */
export function fixedPepper(current: Buffer, previous?: Buffer): PepperSource {
  return {
    current: async () => current,
    verifying: async () => (previous ? [current, previous] : [current]),
  };
}

type StoredApproval = Approval & { readonly approverSubs: readonly string[] };

/** Approvals in memory, with the DynamoDB store's conditions on adding an approver, denying and claiming. */
export function inMemoryApprovals(): ApprovalDecisions & {
  put(approval: Approval): void;
  approval(requestId: string): StoredApproval | undefined;
} {
  const approvals = new Map<string, StoredApproval>();
  const change = (
    requestId: string,
    holds: (a: StoredApproval) => boolean,
    next: (a: StoredApproval) => StoredApproval,
  ) =>
    asPending({
      holds: () => {
        const approval = approvals.get(requestId);
        return approval !== undefined && holds(approval);
      },
      apply: () => approvals.set(requestId, next(approvals.get(requestId) as StoredApproval)),
    });
  return {
    put: (approval) => void approvals.set(approval.requestId, { ...approval, approverSubs: [] }),
    approval: (requestId) => approvals.get(requestId),
    async get(requestId) {
      await roundTrip();
      return approvals.get(requestId);
    },
    addApprover(requestId, approver, seen, final, decision) {
      return change(
        requestId,
        (a) =>
          a.status === 'PENDING' &&
          a.approverSubs.length === seen - 1 &&
          !a.approverSubs.includes(approver.sub),
        (a) => ({
          ...a,
          approverSubs: [...a.approverSubs, approver.sub],
          approvers: [...a.approvers, approver.username],
          decisions: [...a.decisions, { ...decision, by: approver.username, decision: 'APPROVED' }],
          ...(final ? { status: 'APPROVED' as const } : {}),
        }),
      );
    },
    deny(requestId, staff, decision) {
      return change(
        requestId,
        (a) => a.status === 'PENDING',
        (a) => ({
          ...a,
          status: 'DENIED',
          deniedBy: staff,
          decisionReason: decision.reason ?? '',
          decisions: [...a.decisions, { ...decision, by: staff, decision: 'DENIED' }],
        }),
      );
    },
    async claim(requestId, staff, since, staleBefore) {
      await roundTrip();
      const approval = approvals.get(requestId);
      if (approval?.status !== 'PENDING') return false;
      const claim = approval.claim;
      if (claim && claim.bySub !== staff.sub && claim.since >= staleBefore) return false;
      approvals.set(requestId, { ...approval, claim: { by: staff.username, bySub: staff.sub, since } });
      return true;
    },
  };
}

/** A staff directory in memory: accounts, their groups, and which access tokens are still valid. */
export function inMemoryStaff(): StaffDirectory & {
  add(user: DirectoryUser, groups: readonly string[], accessToken: string): void;
  signOut(accessToken: string): void;
  removeFromGroups(username: string): void;
} {
  const users = new Map<string, DirectoryUser>();
  const groups = new Map<string, readonly string[]>();
  const tokens = new Map<string, string>();
  return {
    add(user, userGroups, accessToken) {
      users.set(user.username, user);
      groups.set(user.username, userGroups);
      tokens.set(accessToken, user.username);
    },
    signOut: (accessToken) => void tokens.delete(accessToken),
    removeFromGroups: (username) => void groups.set(username, []),
    async userOfAccessToken(accessToken) {
      await roundTrip();
      const user = users.get(tokens.get(accessToken) ?? '');
      return user;
    },
    async getUser(username) {
      await roundTrip();
      return users.get(username);
    },
    async groupsOf(username) {
      await roundTrip();
      return [...(groups.get(username) ?? [])];
    },
  };
}

/** A user pool in memory for the factor removal: users with or without TOTP, a region with or without AdminDeleteSoftwareToken. */
export function inMemoryFactors(
  options: { poolMfa?: 'ON' | 'OPTIONAL'; withoutDeleteSoftwareToken?: boolean } = {},
): FactorDirectory & {
  add(user: DirectoryUser): void;
  hasTotp(username: string): boolean;
} {
  const users = new Map<string, DirectoryUser>();
  const withoutTotp = (username: string) => {
    const user = users.get(username);
    if (user)
      users.set(username, { ...user, mfa: user.mfa.filter((factor) => factor !== 'SOFTWARE_TOKEN_MFA') });
  };
  return {
    add: (user) => void users.set(user.username, user),
    hasTotp: (username) => users.get(username)?.mfa.includes('SOFTWARE_TOKEN_MFA') ?? false,
    async deleteSoftwareToken(username) {
      await roundTrip();
      if (options.withoutDeleteSoftwareToken) {
        throw Object.assign(new Error('not here'), { name: 'UnknownOperationException' });
      }
      const had = users.get(username)?.mfa.includes('SOFTWARE_TOKEN_MFA') ?? false;
      withoutTotp(username);
      return had ? 'deleted' : 'absent';
    },
    async poolMfaConfiguration() {
      await roundTrip();
      return options.poolMfa ?? 'ON';
    },
    async disableTotpPreference(username) {
      await roundTrip();
      // What AWS does: in a pool that requires MFA, 200 and nothing changes.
      if ((options.poolMfa ?? 'ON') !== 'ON') withoutTotp(username);
    },
    async getUser(username) {
      await roundTrip();
      return users.get(username);
    },
  };
}

/**
 * The store a new request is accepted into, in memory: requests, decoy challenges and the users'
 * active slots, with the DynamoDB store's conditions (a slot is taken only when free or expired,
 * replaced only from the holder named, released only by its holder).
 */
export function inMemoryAdmission(): AdmissionStore & {
  request(requestId: string): RecoveryRequest | undefined;
  requests(): RecoveryRequest[];
  slotHolder(slot: SlotKey): string | undefined;
} {
  const store = inMemoryStore();
  const stored = new Map<string, RecoveryRequest>();
  const decoys = new Set<string>();
  const slots = new Map<string, { requestId: string; takenAt: number; expiresAt: number }>();
  const slotKey = (slot: SlotKey) => `${slot.pk}\u0000${slot.sk}`;
  return {
    getRequest: store.getRequest,
    move: store.move,
    request: store.request,
    requests: () => [...stored.keys()].map((id) => store.request(id) as RecoveryRequest),
    slotHolder: (slot) => slots.get(slotKey(slot))?.requestId,
    newRequest(request) {
      return asPending({
        holds: () => !stored.has(request.requestId) && store.request(request.requestId) === undefined,
        apply: () => {
          const item = isTerminal(request.status) ? { ...request, terminal: request.status } : request;
          store.put(item);
          stored.set(request.requestId, item);
        },
      });
    },
    newDecoyChallenge(challenge) {
      return asPending({
        holds: () => !decoys.has(challenge.requestId),
        apply: () => void decoys.add(challenge.requestId),
      });
    },
    async lockUser(slot, requestId, nowSeconds, holdSeconds) {
      await roundTrip();
      const held = slots.get(slotKey(slot));
      if (!held || held.expiresAt < nowSeconds) {
        slots.set(slotKey(slot), { requestId, takenAt: nowSeconds, expiresAt: nowSeconds + holdSeconds });
        return { locked: true as const };
      }
      return { locked: false as const, holder: held.requestId, takenAt: held.takenAt };
    },
    async replaceLock(slot, requestId, previous, nowSeconds, holdSeconds) {
      await roundTrip();
      if (slots.get(slotKey(slot))?.requestId !== previous) return false;
      slots.set(slotKey(slot), { requestId, takenAt: nowSeconds, expiresAt: nowSeconds + holdSeconds });
      return true;
    },
    async unlockUser(slot, requestId) {
      await roundTrip();
      if (slots.get(slotKey(slot))?.requestId === requestId) slots.delete(slotKey(slot));
    },
  };
}

/** Sliding windows in memory: one timestamp per event, at most `limit` inside the window. */
export function inMemoryRateLimiter(): RateLimiter {
  const events = new Map<string, number[]>();
  const inside = (key: SlotKey, windowSeconds: number, now: number) =>
    (events.get(`${key.pk}\u0000${key.sk}`) ?? []).filter((at) => at > now - windowSeconds);
  return {
    async count(key, window, nowSeconds) {
      await roundTrip();
      return inside(key, window.windowSeconds, nowSeconds).length;
    },
    async take(key, window, nowSeconds) {
      await roundTrip();
      const current = inside(key, window.windowSeconds, nowSeconds);
      if (current.length >= window.limit) {
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, (current[0] ?? nowSeconds) + window.windowSeconds - nowSeconds),
        };
      }
      events.set(`${key.pk}\u0000${key.sk}`, [...current, nowSeconds]);
      return { allowed: true, inWindow: current.length + 1 };
    },
  };
}

/** Users and passwords in memory; counts the password proofs it was asked for. */
export function inMemoryUsers(): UserLookup & {
  add(user: DirectoryUser, password: string): void;
  readonly proofs: string[];
} {
  const users = new Map<string, { user: DirectoryUser; password: string }>();
  const proofs: string[] = [];
  return {
    proofs,
    add: (user, password) => void users.set(user.username, { user, password }),
    async usernameForEmail(email) {
      await roundTrip();
      return [...users.values()].find(({ user }) => user.emailVerified && user.email === email)?.user
        .username;
    },
    async getUser(username) {
      await roundTrip();
      return users.get(username)?.user;
    },
    async provePassword(_clientId, username, password) {
      await roundTrip();
      proofs.push(username);
      const known = users.get(username);
      if (!known || known.password !== password) return { kind: 'rejected' };
      return { kind: 'proven', totpEnrolled: known.user.mfa.includes('SOFTWARE_TOKEN_MFA') };
    },
  };
}

/** Saved recovery codes in memory: a set of HMACs per user, each usable once. */
export function inMemoryRecoveryCodes(): RecoveryCodeLedger & {
  put(sub: string, hashes: readonly string[]): void;
} {
  const sets = new Map<string, Set<string>>();
  return {
    put: (sub, hashes) => void sets.set(sub, new Set(hashes)),
    async holds(sub, candidates) {
      await roundTrip();
      return candidates.some((hash) => sets.get(sub)?.has(hash));
    },
    async consume(sub, candidates) {
      await roundTrip();
      const set = sets.get(sub);
      const hash = candidates.find((candidate) => set?.has(candidate));
      if (!set || !hash) return undefined;
      set.delete(hash);
      return set.size;
    },
  };
}

/** A workflow starter that records the executions it started; `failing` makes StartExecution throw. */
export function inMemoryStarter(
  options: { failing?: boolean } = {},
): WorkflowStarter & { started: string[] } {
  const started: string[] = [];
  return {
    started,
    async start(input) {
      await roundTrip();
      if (options.failing) throw Object.assign(new Error('throttled'), { name: 'TransientDependencyError' });
      if (started.includes(input.requestId)) throw new Error(`execution ${input.requestId} already exists`);
      started.push(input.requestId);
    },
  };
}

/** An enabled, confirmed pool user with a verified email and TOTP: `sub-<name>`, `<name>@example.com`. */
export const directoryUser = (username: string, extra: Partial<DirectoryUser> = {}): DirectoryUser => ({
  username,
  sub: `sub-${username}`,
  email: `${username}@example.com`,
  emailVerified: true,
  phoneVerified: false,
  enabled: true,
  status: 'CONFIRMED',
  mfa: ['SOFTWARE_TOKEN_MFA'],
  customAttributes: {},
  ...extra,
});
