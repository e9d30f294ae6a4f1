import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DAY_LINK_MARKER_SK } from '../../functions/adapters/day-chain';
import type { StackInfo } from '../../local/stack-info';
import { freshSourceIp, httpClient } from './http-client';
import { codeFrom, mailbox } from './mailbox';
import { stackClients } from './stack-clients';
import { createUser } from './users';

type Client = ReturnType<typeof httpClient>;

const ENDED = new Set([
  'COMPLETED',
  'SIGN_OUT_INCOMPLETE',
  'EXPIRED',
  'LOCKED',
  'CANCELLED',
  'DENIED',
  'FAILED',
]);

/** Polls the requester-facing status until it reaches `wanted` (or any ended state when absent). */
export async function waitForStatus(api: Client, requestId: string, wanted?: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const answer = await api.get(`/recoveries/${requestId}`);
    last = answer.json;
    const status = (answer.json as { status?: string } | undefined)?.status ?? '';
    if (wanted ? status === wanted : ENDED.has(status)) return answer.json as { status: string };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `request ${requestId} did not reach ${wanted ?? 'an end'} in ${timeoutMs} ms; last ${JSON.stringify(last)}`,
  );
}

export interface AuditRecord {
  readonly type: string;
  readonly seq: number;
  readonly terminal?: string;
  readonly outcome?: string;
  readonly reasons?: string[];
  readonly [field: string]: unknown;
}

/** Reads a request's audit chain straight from the audit table, in order. */
export async function auditOf(documents: DynamoDBDocumentClient, stack: StackInfo, requestId: string) {
  const result = await documents.send(
    new QueryCommand({
      TableName: stack.tables.audit,
      // The request's events only: its partition also holds the day-link marker.
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)',
      ExpressionAttributeValues: { ':pk': `REQ#${requestId}`, ':evt': 'EVT#' },
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []) as AuditRecord[];
}

/** Polls `read` every 100 ms until it resolves something, for at most `timeoutMs`; then throws `failure`. */
async function pollFor<T>(
  read: () => Promise<T | undefined>,
  timeoutMs: number,
  failure: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await read();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${failure} after ${timeoutMs} ms`);
}

/** Waits until the request has its terminal audit record, and returns the whole chain. */
export function waitForTerminalRecord(
  documents: DynamoDBDocumentClient,
  stack: StackInfo,
  requestId: string,
  timeoutMs = 30_000,
) {
  return pollFor(
    async () => {
      const records = await auditOf(documents, stack, requestId);
      return records.some((record) => record.terminal) ? records : undefined;
    },
    timeoutMs,
    `request ${requestId} has no terminal audit record`,
  );
}

/**
 * Waits until the audit stream's consumer linked the request into its day's chain (its marker item,
 * adapters/day-chain.ts); resolves the link's place.
 */
export function waitForDayLink(
  documents: DynamoDBDocumentClient,
  stack: StackInfo,
  requestId: string,
  timeoutMs = 30_000,
) {
  return pollFor(
    async () =>
      (
        await documents.send(
          new GetCommand({
            TableName: stack.tables.audit,
            Key: { pk: `REQ#${requestId}`, sk: DAY_LINK_MARKER_SK },
            ConsistentRead: true,
          }),
        )
      ).Item as { linkDay: string; shard: number; linkSeq: number } | undefined,
    timeoutMs,
    `request ${requestId} was not linked into its day's chain`,
  );
}

/** A fresh user (TOTP enrolled) who recovers all the way through the API; resolves once the request ended. */
export async function completedRecovery(stack: StackInfo) {
  const { cognito } = stackClients(stack);
  const user = await createUser(cognito, stack);
  const api = httpClient(stack.apiUrl, freshSourceIp());
  const started = await api.post('/recoveries', { username: user.username, password: user.password });
  const { requestId } = started.json as { requestId: string };
  const code = codeFrom(await mailbox(stack.endpoints.ses).waitFor(user.email, /code to remove/));
  await api.post(`/recoveries/${requestId}/confirm`, { code });
  await waitForStatus(api, requestId);
  return { user, api, requestId };
}
