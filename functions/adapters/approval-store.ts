import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { RiskAssessment } from '../domain/risk';
import { keys } from './recovery-keys';

export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'DENIED' | 'CLOSED';

/** A high-risk request waiting for support staff; the task token is never returned to anyone. */
export interface Approval {
  readonly requestId: string;
  readonly username: string;
  readonly sub: string;
  readonly status: ApprovalStatus;
  readonly risk: RiskAssessment;
  readonly requestedAt: string;
  readonly confirmedAt?: string;
  readonly requiredApprovals: number;
  readonly approvers: readonly string[];
  readonly expiresAt: number;
}

/** What the support list shows: never a code or a token. */
export type ApprovalSummary = Omit<Approval, 'sub' | 'expiresAt'>;

const byStatus = (status: ApprovalStatus) => `APPROVAL#${status}`;
const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/** Pending approvals in the recovery table, listed through the `byStatus` index. */
export function createApprovalStore(db: DynamoDBDocumentClient, tableName: string) {
  const toApproval = (item: Record<string, unknown>): Approval => ({
    requestId: item.requestId as string,
    username: item.username as string,
    sub: item.sub as string,
    status: item.status as ApprovalStatus,
    risk: item.risk as RiskAssessment,
    requestedAt: item.requestedAt as string,
    ...(item.confirmedAt ? { confirmedAt: item.confirmedAt as string } : {}),
    requiredApprovals: item.requiredApprovals as number,
    approvers: (item.approvers as string[] | undefined) ?? [],
    expiresAt: item.expiresAt as number,
  });

  return {
    async open(approval: Approval & { taskToken: string }): Promise<void> {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...keys.approval(approval.requestId),
            ...approval,
            approverSubs: [],
            gsi1pk: byStatus('PENDING'),
            gsi1sk: `${approval.requestedAt}#${approval.requestId}`,
            ttl: approval.expiresAt + 400 * 86_400,
          },
          // A retried step replaces its own pending approval, never a decided one.
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'PENDING' },
        }),
      );
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
          IndexName: 'byStatus',
          KeyConditionExpression: 'gsi1pk = :status',
          ExpressionAttributeValues: { ':status': byStatus(status) },
          Limit: limit,
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      );
      return { items: (page.Items ?? []).map(toApproval), next: page.LastEvaluatedKey };
    },

    /**
     * Adds one approver. Fails (undefined) unless the approval is pending and this person has not
     * approved yet; resolves the number of distinct approvers after the write.
     */
    async addApprover(
      requestId: string,
      approver: { sub: string; username: string },
    ): Promise<number | undefined> {
      try {
        const result = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.approval(requestId),
            UpdateExpression:
              'SET approverSubs = list_append(approverSubs, :sub), approvers = list_append(approvers, :name)',
            ConditionExpression: '#status = :pending AND NOT contains(approverSubs, :me)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':sub': [approver.sub],
              ':name': [approver.username],
              ':me': approver.sub,
              ':pending': 'PENDING',
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return ((result.Attributes?.approverSubs as string[] | undefined) ?? []).length;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    /**
     * Decides a pending approval and hands back its task token, removed in the same write: exactly
     * one decision wins. APPROVED also needs the required number of approvers.
     */
    async decide(requestId: string, to: 'APPROVED' | 'DENIED' | 'CLOSED'): Promise<string | undefined> {
      try {
        const result = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.approval(requestId),
            UpdateExpression: 'SET #status = :to, gsi1pk = :index REMOVE taskToken',
            ConditionExpression:
              to === 'APPROVED'
                ? '#status = :pending AND size(approverSubs) >= requiredApprovals'
                : '#status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':to': to, ':pending': 'PENDING', ':index': byStatus(to) },
            ReturnValues: 'ALL_OLD',
          }),
        );
        return result.Attributes?.taskToken as string | undefined;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },
  };
}

export type ApprovalStore = ReturnType<typeof createApprovalStore>;
