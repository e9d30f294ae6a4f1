import type { Approval } from '../domain/approval';
import type { CognitoBudget } from '../domain/cognito-budget';
import { approvalRequestedEmail, coolDownEmail } from '../domain/emails';
import type {
  ApprovalDecisions,
  ApprovalListing,
  ApprovalQueue,
  AuditLog,
  Mailer,
  RequestStore,
  StaffDirectory,
  Workflow,
  WorkflowStore,
} from '../domain/ports';
import type { RecoveryRequest } from '../domain/recovery';
import type { RiskPolicy } from '../domain/risk';
import { unknownChecklistItems } from '../domain/verification-checklist';
import {
  DecisionConflictError,
  ForbiddenError,
  InvalidRequestError,
  RecoveryNotFoundError,
  RequestNotWaitingError,
  UnauthenticatedError,
} from '../shared/errors';
import { type ApprovalContext, type ApprovalContextDeps, approvalContext } from './approval-context';
import { auditSubject, requestOf, wakeWorkflow } from './request-context';

/** A support person, as the JWT authorizer's claims identify them; checked again live at each decision. */
export interface StaffMember {
  readonly sub: string;
  readonly username: string;
  readonly groups: readonly string[];
  /** The bearer access token, to ask the pool whether this sign-in is still valid. */
  readonly accessToken: string;
}

/**
 * Workflow step AwaitApproval: records the pending approval (CONFIRMED -> AWAITING_APPROVAL, with its
 * deadline) and tells support, then stores the waiting task's token. A retried step only stores its
 * new token; a request no longer waiting (cancelled meanwhile) answers RequestNotWaitingError, which
 * the workflow routes to Advance.
 */
export async function requestApproval(
  input: { readonly requestId: string; readonly taskToken: string },
  deps: {
    readonly store: Pick<WorkflowStore, 'getRequest' | 'move' | 'setWaitToken'>;
    readonly approvals: Pick<ApprovalQueue, 'open'>;
    readonly audit: AuditLog;
    readonly mailer: Pick<Mailer, 'send'>;
    readonly clock: () => Date;
    readonly settings: {
      readonly approvalTimeoutSeconds: number;
      readonly privilegedApprovals: number;
      readonly riskPolicy: Pick<RiskPolicy, 'privilegedGroups'>;
      readonly supportEmail: string;
      readonly publicBaseUrl: string;
    };
  },
): Promise<void> {
  const request = await requestOf(deps.store, input.requestId);
  if (request.status === 'CONFIRMED') {
    const now = deps.clock();
    const privileged = (request.groups ?? []).some((group) =>
      deps.settings.riskPolicy.privilegedGroups.includes(group),
    );
    const requiredApprovals = privileged ? deps.settings.privilegedApprovals : 1;
    const expiresAt = Math.floor(now.getTime() / 1000) + deps.settings.approvalTimeoutSeconds;
    const opened = await deps.audit.appendWith(
      {
        ...auditSubject(request),
        type: 'ApprovalRequested',
        actor: 'system',
        reasons: request.risk?.reasons ?? [],
        details: { requiredApprovals, proof: request.proof },
      },
      [
        deps.store.move(request.requestId, {
          from: ['CONFIRMED'],
          to: 'AWAITING_APPROVAL',
          set: { approvalExpiresAt: expiresAt, waitToken: input.taskToken },
        }),
        deps.approvals.open({
          requestId: request.requestId,
          username: request.username,
          sub: request.sub,
          risk: request.risk ?? { level: 'HIGH', reasons: [] },
          proof: request.proof,
          requestedAt: request.createdAt,
          confirmedAt: now.toISOString(),
          requiredApprovals,
          expiresAt,
        }),
      ],
    );
    if (!opened)
      throw new RequestNotWaitingError(`request ${request.requestId} no longer waits for approval`);
    await deps.mailer.send(
      approvalRequestedEmail(deps.settings.supportEmail, {
        requestId: request.requestId,
        username: request.username,
        reasons: request.risk?.reasons ?? [],
        requiredApprovals,
        consoleUrl: `${deps.settings.publicBaseUrl}/support`,
      }),
    );
    return;
  }
  if (!(await deps.store.setWaitToken(request.requestId, 'AWAITING_APPROVAL', input.taskToken))) {
    throw new RequestNotWaitingError(`request ${request.requestId} no longer waits for approval`);
  }
}

/**
 * Workflow step CoolDown: the reset time was fixed by Advance; this stores the waiting task's token
 * and tells the user that time once. The cancel link works until the factor removal begins.
 */
export async function startCoolDown(
  input: { readonly requestId: string; readonly taskToken: string },
  deps: {
    readonly store: Pick<WorkflowStore, 'getRequest' | 'setWaitToken' | 'markCoolDownTold'>;
    readonly mailer: Pick<Mailer, 'send'>;
    readonly publicBaseUrl: string;
  },
): Promise<void> {
  const request = await requestOf(deps.store, input.requestId);
  if (!(await deps.store.setWaitToken(request.requestId, 'COOLING_DOWN', input.taskToken))) {
    throw new RequestNotWaitingError(`request ${request.requestId} is not cooling down`);
  }
  if (request.email && request.resetAt && (await deps.store.markCoolDownTold(request.requestId))) {
    await deps.mailer.send(
      coolDownEmail(request.email, request.resetAt, `${deps.publicBaseUrl}/recover/${request.requestId}`, {
        timeZone: request.zoneinfo,
        locale: request.locale,
      }),
    );
  }
}

/** A claim older than this no longer holds: someone else may claim the request. */
export const CLAIM_STALE_SECONDS = 15 * 60;

/** A claim as support lists show it: who, since when, until when it holds, and whether it still does. */
export interface ClaimView {
  readonly by: string;
  readonly since: string;
  readonly until: string;
  readonly active: boolean;
}

/** One row of GET /support/approvals: the request, its decisions so far, and what support weighs. */
export interface ApprovalItem extends Omit<Approval, 'sub' | 'expiresAt' | 'claim'> {
  /** The approval deadline: past it, the request expires undecided. */
  readonly decideBy: string;
  readonly claim?: ClaimView;
  /** The request's timeline in the audit viewer. */
  readonly auditUrl: string;
  readonly context: ApprovalContext;
}

export interface ListDeps extends ApprovalContextDeps {
  readonly approvals: ApprovalListing;
  readonly checklist: readonly string[];
}

// Cards of a page are read a few at a time: each costs a fixed number of calls (approval-context.ts).
const CARDS_IN_PARALLEL = 4;

/** GET /support/approvals: what support needs to decide, never a code or a token. */
export async function listApprovals(
  query: {
    readonly status: 'PENDING' | 'APPROVED' | 'DENIED';
    readonly limit: number;
    readonly cursor?: string;
  },
  deps: ListDeps,
): Promise<{ items: ApprovalItem[]; cursor?: string; checklist: readonly string[] }> {
  const start = query.cursor ? decodeCursor(query.cursor) : undefined;
  const page = await deps.approvals.list(query.status, query.limit, start);
  const now = deps.clock().getTime();
  const items: ApprovalItem[] = [];
  for (let i = 0; i < page.items.length; i += CARDS_IN_PARALLEL) {
    const batch = page.items.slice(i, i + CARDS_IN_PARALLEL);
    items.push(
      ...(await Promise.all(
        batch.map(async (approval) => listed(approval, await approvalContext(approval, deps), now)),
      )),
    );
  }
  return {
    items,
    ...(page.next ? { cursor: Buffer.from(JSON.stringify(page.next)).toString('base64url') } : {}),
    checklist: deps.checklist,
  };
}

function listed(
  { sub: _sub, expiresAt, claim, ...approval }: Approval,
  context: ApprovalContext,
  now: number,
): ApprovalItem {
  return {
    ...approval,
    decideBy: new Date(expiresAt * 1000).toISOString(),
    ...(claim ? { claim: claimView(claim, now) } : {}),
    auditUrl: `/audit?request=${encodeURIComponent(approval.requestId)}`,
    context,
  };
}

function claimView(claim: NonNullable<Approval['claim']>, now: number): ClaimView {
  const until = Date.parse(claim.since) + CLAIM_STALE_SECONDS * 1000;
  return { by: claim.by, since: claim.since, until: new Date(until).toISOString(), active: until > now };
}

/** A cursor is the index key of the last item seen, as this API handed it out; anything else is refused. */
function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      key &&
      typeof key === 'object' &&
      !Array.isArray(key) &&
      Object.values(key).every((v) => typeof v === 'string')
    ) {
      return key as Record<string, unknown>;
    }
  } catch {
    // fall through to the error below
  }
  throw new InvalidRequestError('cursor is not one this API returned', [
    { path: 'cursor', message: 'unknown cursor' },
  ]);
}

export interface DecisionDeps {
  readonly store: RequestStore;
  readonly approvals: ApprovalDecisions;
  readonly audit: AuditLog;
  readonly workflow: Workflow;
  readonly directory: StaffDirectory;
  /** The product's share of the Cognito quotas: the live staff check takes once for its calls. */
  readonly cognitoBudget: CognitoBudget;
  readonly clock: () => Date;
  readonly supportGroup: string;
  /** The verification checklist: the only items a decision may tick. */
  readonly checklist: readonly string[];
}

/** What a support person sends with a decision. */
export interface DecisionInput {
  readonly requestId: string;
  readonly reason: string;
  /** The checklist items ticked. */
  readonly checklist: readonly string[];
  readonly staff: StaffMember;
}

/** Refuses ticks of items the operator's checklist does not hold (400, naming each). */
function checkTicks(ticked: readonly string[], checklist: readonly string[]): void {
  const unknown = unknownChecklistItems(checklist, ticked);
  if (unknown.length === 0) return;
  throw new InvalidRequestError(
    'only items of the verification checklist can be ticked',
    unknown.map((item) => ({
      path: `checklist.${ticked.indexOf(item)}`,
      message: 'not an item of the checklist',
    })),
  );
}

/** The ticks in the decision's audit record: the items (as a JSON array) and how many were offered. */
function checklistDetails(
  ticked: readonly string[],
  checklist: readonly string[],
): Record<string, string | number> {
  return checklist.length === 0 && ticked.length === 0
    ? {}
    : { checklist: JSON.stringify(ticked), checklistOffered: checklist.length };
}

/**
 * Checks the decider live against the pool, not the token: the sign-in is still valid (not signed
 * out), the account is enabled and in the support group now, and it is not the requester under
 * another name (same sub, or the same verified email or phone number).
 */
export async function verifyStaff(
  staff: StaffMember,
  request: Pick<RecoveryRequest, 'sub' | 'email' | 'phoneNumber'>,
  deps: Pick<DecisionDeps, 'directory' | 'cognitoBudget' | 'supportGroup'>,
): Promise<void> {
  await deps.cognitoBudget.take(['GetUser', 'AdminGetUser', 'AdminListGroupsForUser']);
  const signedIn = await deps.directory.userOfAccessToken(staff.accessToken);
  if (!signedIn || signedIn.sub !== staff.sub) {
    throw new UnauthenticatedError('This sign-in is no longer valid. Sign in again.');
  }
  const [account, groups] = await Promise.all([
    deps.directory.getUser(signedIn.username),
    deps.directory.groupsOf(signedIn.username),
  ]);
  if (!account?.enabled || account.sub !== staff.sub) {
    throw new UnauthenticatedError('This staff account is no longer active.');
  }
  if (!groups.includes(deps.supportGroup))
    throw new ForbiddenError(`This needs membership of ${deps.supportGroup}.`);
  const sameEmail =
    account.emailVerified && !!account.email && account.email.toLowerCase() === request.email?.toLowerCase();
  const samePhone =
    account.phoneVerified && !!account.phoneNumber && account.phoneNumber === request.phoneNumber;
  if (staff.sub === request.sub || sameEmail || samePhone) {
    throw new ForbiddenError('Nobody may decide a recovery of their own account.');
  }
}

type Decidable = {
  request: RecoveryRequest;
  approval: NonNullable<Awaited<ReturnType<ApprovalDecisions['get']>>>;
};

async function decidable(requestId: string, deps: DecisionDeps): Promise<Decidable> {
  const [request, approval] = await Promise.all([
    deps.store.getRequest(requestId),
    deps.approvals.get(requestId),
  ]);
  if (!request || !approval) throw new RecoveryNotFoundError('No approval is waiting for this request.');
  return { request, approval };
}

// A concurrent approver changes the count our write expects: read again and retry.
const MAX_ROUNDS = 5;

/**
 * Approves a pending request. Nobody approves a request about their own account; privileged accounts
 * need several different approvers; repeating one's own approval changes nothing. The approval that
 * completes the count moves the request AWAITING_APPROVAL -> APPROVED in the same transaction as the
 * approval and its audit record, so an answer of APPROVED means it is recorded. A request already
 * decided the other way, or past its deadline, answers DecisionConflictError.
 */
export async function approve(
  input: DecisionInput,
  deps: DecisionDeps,
): Promise<{
  status: 'APPROVED' | 'PENDING';
  approvals: number;
  requiredApprovals: number;
  approvers: readonly string[];
}> {
  checkTicks(input.checklist, deps.checklist);
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const { request, approval } = await decidable(input.requestId, deps);
    await verifyStaff(input.staff, request, deps);
    const required = approval.requiredApprovals;
    const mine = approval.approverSubs.includes(input.staff.sub);
    const count = approval.approverSubs.length;
    const soFar = { requiredApprovals: required, approvers: approval.approvers };
    if (approval.status === 'APPROVED' && mine) {
      await wakeWorkflow(input.requestId, deps);
      return { status: 'APPROVED', approvals: count, ...soFar };
    }
    if (approval.status !== 'PENDING' || request.status !== 'AWAITING_APPROVAL') {
      throw new DecisionConflictError(`This request was already ${decidedWord(approval.status, request)}.`);
    }
    if (mine) return { status: 'PENDING', approvals: count, ...soFar };
    const nowSeconds = Math.floor(deps.clock().getTime() / 1000);
    if ((request.approvalExpiresAt ?? 0) <= nowSeconds) {
      throw new DecisionConflictError('The time to decide this request has run out.');
    }
    const approvals = count + 1;
    const final = approvals >= required;
    const recorded = await deps.audit.appendWith(
      {
        ...auditSubject(request),
        type: 'Approved',
        actor: `support:${input.staff.username}`,
        outcome: final ? 'APPROVED' : 'PARTIAL',
        reasons: [input.reason],
        details: {
          approvals,
          requiredApprovals: required,
          ...(final && approval.confirmedAt
            ? { waitedMs: Math.max(0, deps.clock().getTime() - Date.parse(approval.confirmedAt)) }
            : {}),
          ...checklistDetails(input.checklist, deps.checklist),
        },
      },
      [
        deps.approvals.addApprover(input.requestId, input.staff, approvals, final, {
          at: deps.clock().toISOString(),
          reason: input.reason,
          checklist: input.checklist,
        }),
        deps.store.move(input.requestId, {
          from: ['AWAITING_APPROVAL'],
          to: final ? 'APPROVED' : 'AWAITING_APPROVAL',
          when: { field: 'approvalExpiresAt', is: 'after', value: nowSeconds },
        }),
      ],
    );
    if (!recorded) continue;
    if (final) await wakeWorkflow(input.requestId, deps);
    return {
      status: final ? 'APPROVED' : 'PENDING',
      approvals,
      requiredApprovals: required,
      approvers: [...approval.approvers, input.staff.username],
    };
  }
  throw new DecisionConflictError('This request was decided at the same time.');
}

/**
 * Denies a pending request: AWAITING_APPROVAL -> DENIED with its terminal audit record in one write,
 * then the workflow is woken to tell the user. The TOTP factor stays.
 */
export async function deny(input: DecisionInput, deps: DecisionDeps): Promise<{ status: 'DENIED' }> {
  checkTicks(input.checklist, deps.checklist);
  const { request, approval } = await decidable(input.requestId, deps);
  await verifyStaff(input.staff, request, deps);
  if (request.status === 'DENIED') {
    await wakeWorkflow(input.requestId, deps);
    return { status: 'DENIED' };
  }
  if (approval.status !== 'PENDING' || request.status !== 'AWAITING_APPROVAL') {
    throw new DecisionConflictError(`This request was already ${decidedWord(approval.status, request)}.`);
  }
  const denied = await deps.audit.appendWith(
    {
      ...auditSubject(request),
      type: 'RecoveryDenied',
      actor: `support:${input.staff.username}`,
      terminal: 'DENIED',
      outcome: 'DENIED',
      reasons: ['DENIED_BY_SUPPORT'],
      details: { staffReason: input.reason, ...checklistDetails(input.checklist, deps.checklist) },
    },
    [
      deps.approvals.deny(input.requestId, input.staff.username, {
        at: deps.clock().toISOString(),
        reason: input.reason,
        checklist: input.checklist,
      }),
      deps.store.move(input.requestId, { from: ['AWAITING_APPROVAL'], to: 'DENIED' }),
    ],
  );
  if (!denied) {
    if ((await deps.store.getRequest(input.requestId))?.status === 'DENIED') return { status: 'DENIED' };
    throw new DecisionConflictError('This request was decided at the same time.');
  }
  await wakeWorkflow(input.requestId, deps);
  return { status: 'DENIED' };
}

/**
 * "I'm looking at this": marks a pending request as claimed by this person, checked live like a
 * decision. A claim is advisory (it never blocks anyone's decision) and holds for CLAIM_STALE_SECONDS;
 * the holder renews it by claiming again, and someone else takes it over only once it went stale.
 * Resolves `claimed: false` with the claim that holds when another person has it.
 */
export async function claimApproval(
  input: { readonly requestId: string; readonly staff: StaffMember },
  deps: DecisionDeps,
): Promise<{ claimed: boolean; claim: ClaimView }> {
  const { request, approval } = await decidable(input.requestId, deps);
  await verifyStaff(input.staff, request, deps);
  const now = deps.clock();
  if (approval.status !== 'PENDING') {
    throw new DecisionConflictError(`This request was already ${decidedWord(approval.status, request)}.`);
  }
  const staleBefore = new Date(now.getTime() - CLAIM_STALE_SECONDS * 1000).toISOString();
  if (await deps.approvals.claim(input.requestId, input.staff, now.toISOString(), staleBefore)) {
    return {
      claimed: true,
      claim: claimView(
        { by: input.staff.username, bySub: input.staff.sub, since: now.toISOString() },
        now.getTime(),
      ),
    };
  }
  const current = await deps.approvals.get(input.requestId);
  if (current?.status !== 'PENDING' || !current.claim) {
    throw new DecisionConflictError(
      `This request was already ${decidedWord(current?.status ?? 'CLOSED', request)}.`,
    );
  }
  return { claimed: false, claim: claimView(current.claim, now.getTime()) };
}

function decidedWord(approvalStatus: string, request: RecoveryRequest): string {
  if (approvalStatus === 'APPROVED' || approvalStatus === 'DENIED') return approvalStatus.toLowerCase();
  return `ended (${request.status.toLowerCase()})`;
}
