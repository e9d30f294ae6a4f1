import type { ApprovalStore, ApprovalSummary } from '../adapters/approval-store';
import type { AuditLog } from '../adapters/audit-log';
import type { Mailer } from '../adapters/mailer';
import type { RecoveryRequest, RecoveryStore } from '../adapters/recovery-store';
import type { UserDirectory } from '../adapters/user-directory';
import type { Workflow } from '../adapters/workflow';
import { approvalRequestedEmail, coolDownEmail } from '../domain/emails';
import type { RiskPolicy } from '../domain/risk';
import {
  DecisionConflictError,
  ForbiddenError,
  InvalidRequestError,
  RecoveryNotFoundError,
  RequestNotWaitingError,
  UnauthenticatedError,
} from '../shared/errors';
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
    readonly store: RecoveryStore;
    readonly approvals: ApprovalStore;
    readonly audit: AuditLog;
    readonly mailer: Mailer;
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
    readonly store: RecoveryStore;
    readonly mailer: Mailer;
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

/** GET /support/approvals: what support needs to decide, never a code or a token. */
export async function listApprovals(
  query: {
    readonly status: 'PENDING' | 'APPROVED' | 'DENIED';
    readonly limit: number;
    readonly cursor?: string;
  },
  deps: { readonly approvals: ApprovalStore },
): Promise<{ items: ApprovalSummary[]; cursor?: string }> {
  const start = query.cursor ? decodeCursor(query.cursor) : undefined;
  const page = await deps.approvals.list(query.status, query.limit, start);
  return {
    items: page.items.map(({ sub: _sub, expiresAt: _expiresAt, ...summary }) => summary),
    ...(page.next ? { cursor: Buffer.from(JSON.stringify(page.next)).toString('base64url') } : {}),
  };
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
  readonly store: RecoveryStore;
  readonly approvals: ApprovalStore;
  readonly audit: AuditLog;
  readonly workflow: Workflow;
  readonly directory: Pick<UserDirectory, 'userOfAccessToken' | 'getUser' | 'groupsOf'>;
  readonly clock: () => Date;
  readonly supportGroup: string;
}

/**
 * Checks the decider live against the pool, not the token: the sign-in is still valid (not signed
 * out), the account is enabled and in the support group now, and it is not the requester under
 * another name (same sub, or the same verified email or phone number).
 */
export async function verifyStaff(
  staff: StaffMember,
  request: Pick<RecoveryRequest, 'sub' | 'email' | 'phoneNumber'>,
  deps: Pick<DecisionDeps, 'directory' | 'supportGroup'>,
): Promise<void> {
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
  approval: NonNullable<Awaited<ReturnType<ApprovalStore['get']>>>;
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
  input: { readonly requestId: string; readonly reason: string; readonly staff: StaffMember },
  deps: DecisionDeps,
): Promise<{ status: 'APPROVED' | 'PENDING'; approvals: number; requiredApprovals: number }> {
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const { request, approval } = await decidable(input.requestId, deps);
    await verifyStaff(input.staff, request, deps);
    const required = approval.requiredApprovals;
    const mine = approval.approverSubs.includes(input.staff.sub);
    const count = approval.approverSubs.length;
    if (approval.status === 'APPROVED' && mine) {
      await wakeWorkflow(input.requestId, deps);
      return { status: 'APPROVED', approvals: count, requiredApprovals: required };
    }
    if (approval.status !== 'PENDING' || request.status !== 'AWAITING_APPROVAL') {
      throw new DecisionConflictError(`This request was already ${decidedWord(approval.status, request)}.`);
    }
    if (mine) return { status: 'PENDING', approvals: count, requiredApprovals: required };
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
        },
      },
      [
        deps.approvals.addApprover(input.requestId, input.staff, approvals, final),
        deps.store.move(input.requestId, {
          from: ['AWAITING_APPROVAL'],
          to: final ? 'APPROVED' : 'AWAITING_APPROVAL',
          when: { expression: 'approvalExpiresAt > :now', values: { ':now': nowSeconds } },
        }),
      ],
    );
    if (!recorded) continue;
    if (final) await wakeWorkflow(input.requestId, deps);
    return { status: final ? 'APPROVED' : 'PENDING', approvals, requiredApprovals: required };
  }
  throw new DecisionConflictError('This request was decided at the same time.');
}

/**
 * Denies a pending request: AWAITING_APPROVAL -> DENIED with its terminal audit record in one write,
 * then the workflow is woken to tell the user. The TOTP factor stays.
 */
export async function deny(
  input: { readonly requestId: string; readonly reason: string; readonly staff: StaffMember },
  deps: DecisionDeps,
): Promise<{ status: 'DENIED' }> {
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
      details: { staffReason: input.reason },
    },
    [
      deps.approvals.deny(input.requestId, input.staff.username, input.reason),
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

function decidedWord(approvalStatus: string, request: RecoveryRequest): string {
  if (approvalStatus === 'APPROVED' || approvalStatus === 'DENIED') return approvalStatus.toLowerCase();
  return `ended (${request.status.toLowerCase()})`;
}
