import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { RiskAssessment } from '../domain/risk';
import type { TerminalOutcome } from './audit-log';
import { keys } from './recovery-keys';

/** Where a request stands, as stored; the API maps it to what the requester may see. */
export type RequestStatus =
  | 'STARTED'
  | 'CODE_SENT'
  | 'CONFIRMED'
  | 'AWAITING_APPROVAL'
  | 'COOLING_DOWN'
  | TerminalOutcome;

export interface RecoveryRequest {
  readonly requestId: string;
  readonly username: string;
  readonly sub: string;
  readonly status: RequestStatus;
  readonly createdAt: string;
  /** Decoys answer like real requests but nothing happens (no TOTP, rate limited). */
  readonly decoy: boolean;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly email?: string;
  readonly groups?: readonly string[];
  readonly risk?: RiskAssessment;
  readonly codeExpiresAt?: number;
  readonly terminal?: TerminalOutcome;
  readonly notifiedAt?: string;
  /** Cool-down only: when the factor will be removed unless the user cancels. */
  readonly resetAt?: string;
  /** What the form saw when the request came in; read by the risk step. */
  readonly signals?: RequestSignals;
  readonly accountCreatedAt?: string;
  readonly emailChangedAt?: string;
}

/** Risk signals known only when the request arrives. */
export interface RequestSignals {
  readonly lostPassword: boolean;
  readonly failedPasswordAttempts: number;
  readonly requestsInWindow: number;
}

export type ChallengeStatus = 'PENDING' | 'USED' | 'LOCKED' | 'CANCELLED' | 'CLOSED';

export interface Challenge {
  readonly requestId: string;
  readonly codeHash: string;
  readonly cancelHash: string;
  /** Present only while the challenge is pending: settling it removes the token. */
  readonly taskToken?: string;
  /** Epoch seconds; DynamoDB TTL deletes lazily, so every read compares it. */
  readonly expiresAt: number;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly status: ChallengeStatus;
}

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/** Requests, challenges and per-user locks in the recovery table. */
export function createRecoveryStore(db: DynamoDBDocumentClient, tableName: string) {
  const get = async <T>(key: { pk: string; sk: string }) =>
    (await db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item as
      | T
      | undefined;

  async function putLock(
    sub: string,
    requestId: string,
    expiresAt: number,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...keys.activeRecovery(sub), requestId, expiresAt, ttl: expiresAt },
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  return {
    tableName,
    getRequest: (requestId: string) => get<RecoveryRequest>(keys.request(requestId)),
    getChallenge: (requestId: string) => get<Challenge>(keys.challenge(requestId)),

    async putRequest(request: RecoveryRequest, ttl: number): Promise<void> {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...keys.request(request.requestId), ...request, ttl },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    async updateRequest(
      requestId: string,
      fields: Partial<Omit<RecoveryRequest, 'requestId'>>,
    ): Promise<void> {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const sets = Object.entries(fields).map(([field, value], i) => {
        names[`#f${i}`] = field;
        values[`:v${i}`] = value;
        return `#f${i} = :v${i}`;
      });
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.request(requestId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    },

    /** Takes the user's single active-recovery slot; resolves the holder's request id when taken. */
    async lockUser(sub: string, requestId: string, nowSeconds: number, holdSeconds: number) {
      // A lock whose request ended without releasing it (a crash) frees itself at expiresAt.
      const locked = await putLock(
        sub,
        requestId,
        nowSeconds + holdSeconds,
        'attribute_not_exists(pk) OR expiresAt < :now',
        {
          ':now': nowSeconds,
        },
      );
      if (locked) return { locked: true as const };
      const holder = await get<{ requestId: string }>(keys.activeRecovery(sub));
      return { locked: false as const, holder: holder?.requestId };
    },

    /** Takes over a slot still held by `previous`, a request that already ended. */
    replaceLock: (
      sub: string,
      requestId: string,
      previous: string,
      nowSeconds: number,
      holdSeconds: number,
    ) =>
      putLock(sub, requestId, nowSeconds + holdSeconds, 'requestId = :previous', { ':previous': previous }),

    async unlockUser(sub: string, requestId: string): Promise<void> {
      try {
        await db.send(
          new DeleteCommand({
            TableName: tableName,
            Key: keys.activeRecovery(sub),
            ConditionExpression: 'requestId = :id',
            ExpressionAttributeValues: { ':id': requestId },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },

    async recordCompletion(sub: string, at: string): Promise<void> {
      await db.send(new PutCommand({ TableName: tableName, Item: { ...keys.lastCompleted(sub), at } }));
    },

    async lastCompletion(sub: string): Promise<string | undefined> {
      return (await get<{ at: string }>(keys.lastCompleted(sub)))?.at;
    },

    /** Stores a fresh challenge; a retried issue replaces a still-pending one, never a used or locked one. */
    async putChallenge(challenge: Challenge, ttl: number): Promise<void> {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...keys.challenge(challenge.requestId), ...challenge, ttl },
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'PENDING' },
        }),
      );
    },

    /**
     * Moves a pending challenge to `to` and hands back its task token, removing it from the table in
     * the same write: exactly one caller wins and the token can be read only once. `USED` and
     * `CANCELLED` also require the challenge unexpired with attempts left; `LOCKED` does not.
     */
    async settleChallenge(
      requestId: string,
      to: 'USED' | 'CANCELLED' | 'LOCKED',
      nowSeconds: number,
    ): Promise<string | undefined> {
      const stillValid = to === 'LOCKED' ? '' : ' AND expiresAt > :now AND attempts < maxAttempts';
      try {
        const result = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.challenge(requestId),
            UpdateExpression: 'SET #status = :to REMOVE taskToken',
            ConditionExpression: `#status = :pending${stillValid}`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':to': to,
              ':pending': 'PENDING',
              ...(stillValid ? { ':now': nowSeconds } : {}),
            },
            ReturnValues: 'ALL_OLD',
          }),
        );
        return result.Attributes?.taskToken as string | undefined;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    /** Puts a just-used challenge back to pending with its token, when the workflow could not be resumed. */
    async reopenChallenge(requestId: string, taskToken: string): Promise<void> {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.challenge(requestId),
          UpdateExpression: 'SET #status = :pending, taskToken = :token',
          ConditionExpression: '#status = :used AND attribute_not_exists(taskToken)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'PENDING', ':used': 'USED', ':token': taskToken },
        }),
      );
      await this.updateRequest(requestId, { status: 'CODE_SENT' });
    },

    /** Counts one wrong code atomically; resolves the new count, or undefined when no attempt was left. */
    async countWrongAttempt(requestId: string, nowSeconds: number): Promise<number | undefined> {
      try {
        const result = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.challenge(requestId),
            UpdateExpression: 'SET attempts = attempts + :one',
            ConditionExpression: '#status = :pending AND expiresAt > :now AND attempts < maxAttempts',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':one': 1, ':pending': 'PENDING', ':now': nowSeconds },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return result.Attributes?.attempts as number;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    /** Records the cool-down's task token, so the cancel link can still stop the reset. */
    async openCoolDown(requestId: string, taskToken: string): Promise<void> {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...keys.coolDown(requestId), status: 'PENDING', taskToken },
        }),
      );
    },

    /** Cancels a running cool-down, or (to: CLOSED) clears it when the request ends; returns the token once. */
    async settleCoolDown(requestId: string, to: 'CANCELLED' | 'CLOSED'): Promise<string | undefined> {
      try {
        const result = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.coolDown(requestId),
            UpdateExpression: 'SET #status = :to REMOVE taskToken',
            ConditionExpression: '#status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':to': to, ':pending': 'PENDING' },
            ReturnValues: 'ALL_OLD',
          }),
        );
        return result.Attributes?.taskToken as string | undefined;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    /** Closes a challenge whatever its state, so no code or link works after the request ended. */
    async closeChallenge(requestId: string): Promise<void> {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.challenge(requestId),
            UpdateExpression: 'SET #status = :closed REMOVE taskToken',
            ConditionExpression: 'attribute_exists(pk) AND #status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':closed': 'CLOSED', ':pending': 'PENDING' },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },

    /** The conditional write that marks a request as ended, for use inside the terminal transaction. */
    terminalMark(requestId: string, outcome: TerminalOutcome) {
      return {
        Update: {
          TableName: tableName,
          Key: keys.request(requestId),
          UpdateExpression: 'SET terminal = :outcome, #status = :outcome',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(terminal)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':outcome': outcome },
        },
      };
    },
  };
}

export type RecoveryStore = ReturnType<typeof createRecoveryStore>;
