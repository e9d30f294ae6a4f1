/** Key layout of one DynamoDB table, shared by the CDK stack and the local stack so both build it alike. */
export interface TableSchema {
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly globalSecondaryIndexes?: readonly {
    readonly indexName: string;
    readonly partitionKey: string;
    readonly sortKey?: string;
  }[];
  /** DynamoDB deletes expired items lazily (up to days later, never locally): code compares `expiresAt` itself. */
  readonly timeToLiveAttribute?: string;
  /** The table's stream and what each record of it holds; none when absent. */
  readonly stream?: 'NEW_IMAGE';
}

/** The recoveries table's index of approvals by status (the support console's lists). */
export const STATUS_INDEX = 'byStatus';

/** Requests, challenges, approvals, rate-limit counters and per-user locks (single-table design). */
export const recoveryTableSchema: TableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  globalSecondaryIndexes: [{ indexName: STATUS_INDEX, partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  timeToLiveAttribute: 'ttl',
};

/** The audit table's index of an account's events by its sub (support reads an account's earlier requests). */
export const BY_USER_SUB_INDEX = 'byUserSub';

/**
 * Append-only audit events, chained per request; indexes answer "by user" and "by day". Its stream
 * publishes each event to the bus (ADR 0005).
 */
export const auditTableSchema: TableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  stream: 'NEW_IMAGE',
  globalSecondaryIndexes: [
    { indexName: 'byUser', partitionKey: 'userKey', sortKey: 'at' },
    { indexName: BY_USER_SUB_INDEX, partitionKey: 'userSub', sortKey: 'at' },
    { indexName: 'byDay', partitionKey: 'day', sortKey: 'at' },
  ],
};
