import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Approval, ApprovalDecision, ApprovalStatus } from '../domain/approval';
import type { ProofKind } from '../domain/recovery';
import type { RiskAssessment } from '../domain/risk';
import { STATUS_INDEX } from '../shared/table-schemas';
import { type ConditionalWrite, pendingWrite } from './audit-log';
import { conditionHeld } from './aws-errors';
import { keys } from './recovery-keys';

export type { Approval, ApprovalClaim, ApprovalDecision, ApprovalStatus } from '../domain/approval';

const byStatus = (status: ApprovalStatus) => `APPROVAL#${status}`;

/** Pending approvals in the recovery table, listed through the `byStatus` index. */
export function createApprovalStore(db: DynamoDBDocumentClient, tableName: string) {
  const toApproval = (item: Record<string, unknown>): Approval => ({
    requestId: item.requestId as string,
    username: item.username as string,
    sub: item.sub as string,
    status: item.status as ApprovalStatus,
    risk: item.risk as RiskAssessment,
    proof: (item.proof as ProofKind | undefined) ?? 'PASSWORD',
    requestedAt: item.requestedAt as string,
    ...(item.confirmedAt ? { confirmedAt: item.confirmedAt as string } : {}),
    requiredApprovals: item.requiredApprovals as number,
    approvers: (item.approvers as string[] | undefined) ?? [],
    ...(item.deniedBy ? { deniedBy: item.deniedBy as string } : {}),
    ...(item.decisionReason ? { decisionReason: item.decisionReason as string } : {}),
    decisions: decisionsOf(item),
    ...(item.claimedBySub
      ? {
          claim: {
            by: item.claimedBy as string,
            bySub: item.claimedBySub as string,
            since: item.claimedAt as string,
          },
        }
      : {}),
    expiresAt: item.expiresAt as number,
  });

  return {
    /** The approval a request's AwaitApproval step opens; only if it has none (a retried step replaces nothing). */
    open(approval: Omit<Approval, 'status' | 'approvers' | 'decisions' | 'claim'>): ConditionalWrite {
      return pendingWrite({
        Put: {
          TableName: tableName,
          Item: {
            ...keys.approval(approval.requestId),
            ...approval,
            status: 'PENDING',
            approvers: [],
            approverSubs: [],
            decisions: [],
            gsi1pk: byStatus('PENDING'),
            gsi1sk: `${approval.requestedAt}#${approval.requestId}`,
            ttl: approval.expiresAt + 400 * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    },

    async get(requestId: string): Promise<(Approval & { approverSubs: string[] }) | undefined> {
      const item = (
        await db.send(
          new GetCommand({ TableName: tableName, Key: keys.approval(requestId), ConsistentRead: true }),
        )
      ).Item;
      return item
        ? { ...toApproval(item), approverSubs: (item.approverSubs as string[] | undefined) ?? [] }
        : undefined;
    },

    /** One page of approvals in a status, oldest first. */
    async list(status: ApprovalStatus, limit: number, cursor?: Record<string, unknown>) {
      const page = await db.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: STATUS_INDEX,
          KeyConditionExpression: 'gsi1pk = :status',
          ExpressionAttributeValues: { ':status': byStatus(status) },
          Limit: limit,
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      );
      return { items: (page.Items ?? []).map(toApproval), next: page.LastEvaluatedKey };
    },

    /**
     * Adds one approver, as the `seen`-th: fails unless the approval is still pending with exactly
     * `seen - 1` approvers and this person is not among them (a concurrent approver makes it retry).
     * With `final`, the approval is marked APPROVED in the same write.
     */
    addApprover(
      requestId: string,
      approver: { sub: string; username: string },
      seen: number,
      final: boolean,
      decision: Omit<ApprovalDecision, 'by' | 'decision'>,
    ): ConditionalWrite {
      return pendingWrite({
        Update: {
          TableName: tableName,
          Key: keys.approval(requestId),
          UpdateExpression: `SET approverSubs = list_append(approverSubs, :sub), approvers = list_append(approvers, :name), decisions = list_append(if_not_exists(decisions, :none), :decision)${
            final ? ', #status = :approved, gsi1pk = :index' : ''
          }`,
          ConditionExpression:
            '#status = :pending AND size(approverSubs) = :before AND NOT contains(approverSubs, :me)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sub': [approver.sub],
            ':name': [approver.username],
            ':none': [],
            ':decision': [{ ...decision, by: approver.username, decision: 'APPROVED' }],
            ':me': approver.sub,
            ':pending': 'PENDING',
            ':before': seen - 1,
            ...(final ? { ':approved': 'APPROVED', ':index': byStatus('APPROVED') } : {}),
          },
        },
      });
    },

    /** Marks a pending approval denied, with who, why and what they checked. */
    deny(
      requestId: string,
      staff: string,
      decision: Omit<ApprovalDecision, 'by' | 'decision'>,
    ): ConditionalWrite {
      return pendingWrite({
        Update: {
          TableName: tableName,
          Key: keys.approval(requestId),
          UpdateExpression:
            'SET #status = :denied, gsi1pk = :index, deniedBy = :who, decisionReason = :why, decisions = list_append(if_not_exists(decisions, :none), :decision)',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':denied': 'DENIED',
            ':index': byStatus('DENIED'),
            ':who': staff,
            ':why': decision.reason ?? '',
            ':none': [],
            ':decision': [{ ...decision, by: staff, decision: 'DENIED' }],
            ':pending': 'PENDING',
          },
        },
      });
    },

    /**
     * Claims a pending approval for one person: written unless someone else holds a claim made at or
     * after `staleBefore`. Resolves false when the condition failed (held by another, or no longer
     * pending); the caller reads the approval again to tell which.
     */
    async claim(
      requestId: string,
      staff: { sub: string; username: string },
      since: string,
      staleBefore: string,
    ): Promise<boolean> {
      return conditionHeld(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.approval(requestId),
            UpdateExpression: 'SET claimedBy = :who, claimedBySub = :sub, claimedAt = :since',
            ConditionExpression:
              '#status = :pending AND (attribute_not_exists(claimedBySub) OR claimedBySub = :sub OR claimedAt < :staleBefore)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':who': staff.username,
              ':sub': staff.sub,
              ':since': since,
              ':staleBefore': staleBefore,
              ':pending': 'PENDING',
            },
          }),
        ),
      );
    },

    /** Takes a still-pending approval off the support list once its request ended otherwise. */
    async close(requestId: string): Promise<void> {
      await conditionHeld(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.approval(requestId),
            UpdateExpression: 'SET #status = :closed, gsi1pk = :index',
            ConditionExpression: '#status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':closed': 'CLOSED',
              ':index': byStatus('CLOSED'),
              ':pending': 'PENDING',
            },
          }),
        ),
      );
    },
  };
}

export type ApprovalStore = ReturnType<typeof createApprovalStore>;

/** The decisions kept with the approval; for approvals decided before they were, what the item still tells. */
function decisionsOf(item: Record<string, unknown>): ApprovalDecision[] {
  if (Array.isArray(item.decisions)) return item.decisions as ApprovalDecision[];
  const approvals = ((item.approvers as string[] | undefined) ?? []).map(
    (by): ApprovalDecision => ({ by, decision: 'APPROVED', checklist: [] }),
  );
  const denial: ApprovalDecision[] = item.deniedBy
    ? [
        {
          by: item.deniedBy as string,
          decision: 'DENIED',
          ...(item.decisionReason ? { reason: item.decisionReason as string } : {}),
          checklist: [],
        },
      ]
    : [];
  return [...approvals, ...denial];
}
