import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { HistoryEvent } from '../domain/ports';
import { BY_USER_SUB_INDEX } from '../shared/table-schemas';

export type { HistoryEvent };

/**
 * An account's requests as the audit trail recorded them, by its sub (a username can be reused, a sub
 * never); reads one index, never writes.
 */
export function createUserHistory(db: DynamoDBDocumentClient, auditTableName: string) {
  return {
    /**
     * The account's request and ending events, newest first, among its latest `scanned` events:
     * `complete` is false when older events were left unread (the list stays one bounded query).
     */
    async requestsOf(sub: string, scanned: number): Promise<{ events: HistoryEvent[]; complete: boolean }> {
      const page = await db.send(
        new QueryCommand({
          TableName: auditTableName,
          IndexName: BY_USER_SUB_INDEX,
          KeyConditionExpression: 'userSub = :sub',
          FilterExpression: '#type = :requested OR attribute_exists(terminal)',
          ProjectionExpression: 'requestId, #type, #at, terminal, sourceIp, userAgent, details',
          ExpressionAttributeNames: { '#type': 'type', '#at': 'at' },
          ExpressionAttributeValues: { ':sub': sub, ':requested': 'RecoveryRequested' },
          ScanIndexForward: false,
          Limit: scanned,
        }),
      );
      return { events: (page.Items ?? []) as HistoryEvent[], complete: page.LastEvaluatedKey === undefined };
    },
  };
}

export type UserHistory = ReturnType<typeof createUserHistory>;
