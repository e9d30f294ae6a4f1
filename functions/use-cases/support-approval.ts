import type { ApprovalStore, ApprovalSummary } from '../adapters/approval-store';
import type { AuditLog } from '../adapters/audit-log';
import type { Mailer } from '../adapters/mailer';
import type { RecoveryStore } from '../adapters/recovery-store';
import type { Workflow } from '../adapters/workflow';
import { approvalRequestedEmail, coolDownEmail } from '../domain/emails';
import type { RiskPolicy } from '../domain/risk';
import {
  DecisionConflictError,
  ForbiddenError,
  InvalidRequestError,
  RecoveryNotFoundError,
} from '../shared/errors';
import { auditSubject, requestOf } from './request-context';

/** A support person, as the JWT authorizer's claims identify them. */
export interface StaffMember {
  readonly sub: string;
  readonly username: string;
  readonly groups: readonly string[];
}

/**
 * Workflow step AwaitApproval: records the pending approval with the waiting task's token and tells
 * support. Members of a privileged group need `privilegedApprovals` different approvers.
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
  const now = deps.clock();
  const privileged = (request.groups ?? []).some((group) =>
    deps.settings.riskPolicy.privilegedGroups.includes(group),
  );
  const requiredApprovals = privileged ? deps.settings.privilegedApprovals : 1;
  await deps.approvals.open({
    requestId: request.requestId,
    username: request.username,
    sub: request.sub,
    status: 'PENDING',
    risk: request.risk ?? { level: 'HIGH', reasons: [] },
    requestedAt: request.createdAt,
    confirmedAt: now.toISOString(),
    requiredApprovals,
    approvers: [],
    expiresAt: Math.floor(now.getTime() / 1000) + deps.settings.approvalTimeoutSeconds,
    taskToken: input.taskToken,
  });
  await deps.store.updateRequest(request.requestId, { status: 'AWAITING_APPROVAL' });
  await deps.mailer.send(
    approvalRequestedEmail(deps.settings.supportEmail, {
      requestId: request.requestId,
      username: request.username,
      reasons: request.risk?.reasons ?? [],
      requiredApprovals,
      consoleUrl: `${deps.settings.publicBaseUrl.replace(/\/$/, '')}/support`,
    }),
  );
  await deps.audit.append({
    ...auditSubject(request),
    type: 'ApprovalRequested',
    actor: 'system',
    reasons: request.risk?.reasons ?? [],
    details: { requiredApprovals },
  });
}

/** Workflow step CoolDown: tells the user the exact reset time; the cancel link still works until then. */
export async function startCoolDown(
  input: { readonly requestId: string; readonly taskToken: string },
  deps: {
    readonly store: RecoveryStore;
    readonly audit: AuditLog;
    readonly mailer: Mailer;
    readonly clock: () => Date;
    readonly coolDownSeconds: number;
    readonly publicBaseUrl: string;
  },
): Promise<void> {
  const request = await requestOf(deps.store, input.requestId);
  const resetAt = new Date(deps.clock().getTime() + deps.coolDownSeconds * 1000).toISOString();
  await deps.store.openCoolDown(request.requestId, input.taskToken);
  await deps.store.updateRequest(request.requestId, { status: 'COOLING_DOWN', resetAt });
  if (request.email) {
    await deps.mailer.send(
      coolDownEmail(
        request.email,
        resetAt,
        `${deps.publicBaseUrl.replace(/\/$/, '')}/recover/${request.requestId}`,
      ),
    );
  }
  await deps.audit.append({
    ...auditSubject(request),
    type: 'CoolDownStarted',
    actor: 'system',
    details: { resetAt },
  });
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
}

/**
 * Approves a pending request. Nobody approves a request about their own account; privileged accounts
 * need several different approvers; repeating one's own approval changes nothing. A request already
 * decided the other way answers DecisionConflictError.
 */
export async function approve(
  input: { readonly requestId: string; readonly reason: string; readonly staff: StaffMember },
  deps: DecisionDeps,
): Promise<{ status: 'APPROVED' | 'PENDING'; approvals: number; requiredApprovals: number }> {
  const approval = await deps.approvals.get(input.requestId);
  if (!approval) throw new RecoveryNotFoundError('No approval is waiting for this request.');
  if (approval.sub === input.staff.sub)
    throw new ForbiddenError('Nobody may approve a recovery of their own account.');
  const already = approval.approverSubs.includes(input.staff.sub);
  if (approval.status !== 'PENDING') {
    if (approval.status === 'APPROVED' && already)
      return {
        status: 'APPROVED',
        approvals: approval.approverSubs.length,
        requiredApprovals: approval.requiredApprovals,
      };
    throw new DecisionConflictError(`This request was already ${approval.status.toLowerCase()}.`);
  }
  const count = already
    ? approval.approverSubs.length
    : await deps.approvals.addApprover(input.requestId, {
        sub: input.staff.sub,
        username: input.staff.username,
      });
  if (count === undefined) throw new DecisionConflictError('This request was decided at the same time.');
  if (!already) {
    await deps.audit.append({
      ...auditSubject(approval),
      type: 'Approved',
      actor: `support:${input.staff.username}`,
      outcome: count >= approval.requiredApprovals ? 'APPROVED' : 'PARTIAL',
      reasons: [input.reason],
      details: { approvals: count, requiredApprovals: approval.requiredApprovals },
    });
  }
  if (count < approval.requiredApprovals)
    return { status: 'PENDING', approvals: count, requiredApprovals: approval.requiredApprovals };
  const taskToken = await deps.approvals.decide(input.requestId, 'APPROVED');
  if (taskToken) {
    await deps.store.updateRequest(input.requestId, { status: 'CONFIRMED' });
    await deps.workflow.succeed(taskToken, { approvedAt: new Date().toISOString() });
    return { status: 'APPROVED', approvals: count, requiredApprovals: approval.requiredApprovals };
  }
  const after = await deps.approvals.get(input.requestId);
  if (after?.status === 'APPROVED')
    return { status: 'APPROVED', approvals: count, requiredApprovals: approval.requiredApprovals };
  throw new DecisionConflictError('This request was decided at the same time.');
}

/** Denies a pending request; the workflow ends it as DENIED and the TOTP factor stays. */
export async function deny(
  input: { readonly requestId: string; readonly reason: string; readonly staff: StaffMember },
  deps: DecisionDeps,
): Promise<{ status: 'DENIED' }> {
  const approval = await deps.approvals.get(input.requestId);
  if (!approval) throw new RecoveryNotFoundError('No approval is waiting for this request.');
  if (approval.sub === input.staff.sub)
    throw new ForbiddenError('Nobody may decide a recovery of their own account.');
  if (approval.status === 'DENIED') return { status: 'DENIED' };
  const taskToken = await deps.approvals.decide(input.requestId, 'DENIED');
  if (!taskToken) throw new DecisionConflictError('This request was already decided.');
  await deps.audit.append({
    ...auditSubject(approval),
    type: 'Denied',
    actor: `support:${input.staff.username}`,
    outcome: 'DENIED',
    reasons: [input.reason],
  });
  await deps.workflow.fail(taskToken, 'ApprovalDenied', 'denied by support');
  return { status: 'DENIED' };
}
