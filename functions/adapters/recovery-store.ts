import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Challenge, Move, MoveCondition, RecoveryRequest, RequestDescription } from '../domain/recovery';
import { allowedFrom, isTerminal, type RequestStatus } from '../domain/recovery-state';
import { type ConditionalWrite, pendingWrite } from './audit-log';
import { conditionHeld } from './aws-errors';
import { type ChainHeads, headOf } from './chain-heads';
import { keys } from './recovery-keys';

export type { Challenge, Move, ProofKind, RecoveryRequest, RequestSignals } from '../domain/recovery';
export type { RequestStatus };

/** MoveCondition's comparisons in DynamoDB's condition syntax (the same meaning as domain `meets`). */
const COMPARISONS: Readonly<Record<MoveCondition['is'], string>> = { equals: '=', after: '>', atMost: '<=' };

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/** A user's active-recovery slot held by `requestId`; it frees itself (and DynamoDB TTL removes it) at expiresAt. */
const slotItem = (
  slot: { pk: string; sk: string },
  requestId: string,
  nowSeconds: number,
  holdSeconds: number,
) => ({
  ...slot,
  requestId,
  takenAt: nowSeconds,
  expiresAt: nowSeconds + holdSeconds,
  ttl: nowSeconds + holdSeconds,
});

/**
 * Requests, challenges and per-user slots in the recovery table. A request item also keeps its audit
 * chain's head (adapters/chain-heads.ts): stored empty with the request, read with it into `heads`,
 * so the step that read its request appends without reading the head again.
 */
export function createRecoveryStore(db: DynamoDBDocumentClient, tableName: string, heads?: ChainHeads) {
  const get = async <T>(key: { pk: string; sk: string }) =>
    (await db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item as
      | T
      | undefined;
  /** Hands the head a read request item keeps to the audit log, for the rest of the invocation. */
  const noteHead = <T extends RecoveryRequest>(requestId: string, item: T | undefined) => {
    const head = headOf(item as Readonly<Record<string, unknown>> | undefined);
    if (head) heads?.set(requestId, head);
    return item;
  };

  return {
    tableName,
    getRequest: async (requestId: string): Promise<RecoveryRequest | undefined> =>
      noteHead(requestId, await get<RecoveryRequest>(keys.request(requestId))),
    getChallenge: (requestId: string) => get<Challenge>(keys.challenge(requestId)),

    /** The request and its challenge in one strongly consistent query of the request's partition. */
    async getRequestAndChallenge(
      requestId: string,
    ): Promise<{ request?: RecoveryRequest; challenge?: Challenge }> {
      const result = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.request(requestId).pk },
          ConsistentRead: true,
        }),
      );
      const items = (result.Items ?? []) as Record<string, unknown>[];
      const request = noteHead(
        requestId,
        items.find((item) => item.sk === keys.request(requestId).sk) as RecoveryRequest | undefined,
      );
      const challenge = items.find((item) => item.sk === keys.challenge(requestId).sk) as
        | Challenge
        | undefined;
      return { ...(request ? { request } : {}), ...(challenge ? { challenge } : {}) };
    },

    /**
     * A new request's item, for `AuditLog.startChain`, which gives it its chain's head: created only
     * if the request does not exist.
     */
    newRequest(request: RecoveryRequest, ttl: number): ConditionalWrite {
      return pendingWrite({
        Put: {
          TableName: tableName,
          Item: {
            ...keys.request(request.requestId),
            ...request,
            ...(isTerminal(request.status) ? { terminal: request.status } : {}),
            ttl,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    },

    /** A decoy's challenge, created with its request (`AuditLog.startChain`): only if none exists. */
    newDecoyChallenge(challenge: Challenge, ttl: number): ConditionalWrite {
      return pendingWrite({
        Put: {
          TableName: tableName,
          Item: { ...keys.challenge(challenge.requestId), ...challenge, ttl },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    },

    /**
     * The one way a request changes state: a conditional write that succeeds only from a state the
     * transition table allows (and only the states given, which must be among them). Entering a
     * terminal state also marks the request ended, which nothing can undo.
     */
    move(requestId: string, move: Move): ConditionalWrite {
      const allowed = allowedFrom(move.to);
      const from = move.from.filter((status) => allowed.includes(status));
      if (from.length === 0)
        throw new Error(`no allowed transition to ${move.to} from ${move.from.join(',')}`);
      const names: Record<string, string> = { '#status': 'status' };
      const values: Record<string, unknown> = { ':to': move.to };
      if (move.when) {
        names['#when'] = move.when.field;
        values[':when'] = move.when.value;
      }
      const sets = ['#status = :to'];
      if (isTerminal(move.to)) sets.push('terminal = :to');
      for (const [i, [field, value]] of Object.entries(move.set ?? {}).entries()) {
        names[`#f${i}`] = field;
        values[`:v${i}`] = value;
        sets.push(`#f${i} = :v${i}`);
      }
      from.forEach((status, i) => {
        values[`:from${i}`] = status;
      });
      const inFrom = `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`;
      return pendingWrite({
        Update: {
          TableName: tableName,
          Key: keys.request(requestId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(terminal) AND ${inFrom}${
            move.when ? ` AND #when ${COMPARISONS[move.when.is]} :when` : ''
          }`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      });
    },

    /** Stores the waiting task's token, only while the request is still in `status`. */
    setWaitToken: (requestId: string, status: RequestStatus, taskToken: string) =>
      conditionHeld(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.request(requestId),
            UpdateExpression: 'SET waitToken = :token',
            ConditionExpression: '#status = :status AND attribute_not_exists(terminal)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':token': taskToken, ':status': status },
          }),
        ),
      ),

    /**
     * Writes a (new) code and cancel salt for a request, keeping the attempts already counted and the
     * salt already sent: a retried IssueCode never resets the wrong-code counter or breaks a sent link.
     */
    issueChallenge(challenge: Omit<Challenge, 'attempts'>, ttl: number): ConditionalWrite {
      return pendingWrite({
        Update: {
          TableName: tableName,
          Key: keys.challenge(challenge.requestId),
          UpdateExpression:
            'SET requestId = :id, codeHash = :hash, cancelSalt = :salt, expiresAt = :expires, maxAttempts = :max, attempts = if_not_exists(attempts, :zero), #ttl = :ttl',
          // The salt given is the one already sent, or the first: a link already emailed keeps working.
          ConditionExpression: 'attribute_not_exists(cancelSalt) OR cancelSalt = :salt',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':id': challenge.requestId,
            ':hash': challenge.codeHash,
            ':salt': challenge.cancelSalt,
            ':expires': challenge.expiresAt,
            ':max': challenge.maxAttempts,
            ':zero': 0,
            ':ttl': ttl,
          },
        },
      });
    },

    /**
     * A decoy's challenge: a code nobody was sent, so wrong codes are counted exactly as for a real one.
     * Never replaces a challenge the request already has; false when it had one.
     */
    putDecoyChallenge: (challenge: Challenge, ttl: number) =>
      conditionHeld(() =>
        db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.challenge(challenge.requestId), ...challenge, ttl },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ),

    /** The condition that the right code is still usable: same hash, attempts left, before the deadline. */
    challengeStillValid(requestId: string, codeHash: string, nowSeconds: number): ConditionalWrite {
      return pendingWrite({
        ConditionCheck: {
          TableName: tableName,
          Key: keys.challenge(requestId),
          ConditionExpression: 'codeHash = :hash AND attempts < maxAttempts AND expiresAt > :now',
          ExpressionAttributeValues: { ':hash': codeHash, ':now': nowSeconds },
        },
      });
    },

    /** Counts one wrong code atomically; resolves the new count, or undefined when no attempt was left. */
    async countWrongAttempt(requestId: string, nowSeconds: number): Promise<number | undefined> {
      try {
        const result = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.challenge(requestId),
            UpdateExpression: 'SET attempts = attempts + :one',
            ConditionExpression: 'expiresAt > :now AND attempts < maxAttempts',
            ExpressionAttributeValues: { ':one': 1, ':now': nowSeconds },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return result.Attributes?.attempts as number;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    /**
     * Forgets the token of an ended request's wait. Kept until the end, so the decision that ended the
     * request can still wake the waiting task; dead once the execution moved on.
     */
    async forgetWaitToken(requestId: string): Promise<void> {
      await conditionHeld(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.request(requestId),
            UpdateExpression: 'REMOVE waitToken',
            ConditionExpression: 'attribute_exists(terminal) AND attribute_exists(waitToken)',
          }),
        ),
      );
    },

    /** Records that the user was told how the request ended; false when someone already did. */
    markNotified: (requestId: string, at: string) =>
      conditionHeld(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.request(requestId),
            UpdateExpression: 'SET notifiedAt = :at',
            ConditionExpression: 'attribute_exists(terminal) AND attribute_not_exists(notifiedAt)',
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      ),

    /** Records that the user was told the cool-down's reset time; false when already told. */
    markCoolDownTold: (requestId: string) =>
      conditionHeld(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.request(requestId),
            UpdateExpression: 'SET coolDownTold = :yes',
            ConditionExpression: 'attribute_not_exists(coolDownTold)',
            ExpressionAttributeValues: { ':yes': true },
          }),
        ),
      ),

    /** Takes the user's single active-recovery slot of `kind`; resolves the holder when taken. */
    async lockUser(
      slot: { pk: string; sk: string },
      requestId: string,
      nowSeconds: number,
      holdSeconds: number,
    ) {
      // A slot whose request ended without releasing it (a crash) frees itself at expiresAt.
      const locked = await conditionHeld(() =>
        db.send(
          new PutCommand({
            TableName: tableName,
            Item: slotItem(slot, requestId, nowSeconds, holdSeconds),
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': nowSeconds },
          }),
        ),
      );
      if (locked) return { locked: true as const };
      const holder = await get<{ requestId: string; takenAt?: number }>(slot);
      return { locked: false as const, holder: holder?.requestId, takenAt: holder?.takenAt ?? 0 };
    },

    /** Takes over a slot still held by `previous`, a request that ended or was never stored. */
    replaceLock: (
      slot: { pk: string; sk: string },
      requestId: string,
      previous: string,
      nowSeconds: number,
      holdSeconds: number,
    ) =>
      conditionHeld(() =>
        db.send(
          new PutCommand({
            TableName: tableName,
            Item: slotItem(slot, requestId, nowSeconds, holdSeconds),
            ConditionExpression: 'requestId = :previous',
            ExpressionAttributeValues: { ':previous': previous },
          }),
        ),
      ),

    /** Releases the slot if `requestId` still holds it. */
    async unlockUser(slot: { pk: string; sk: string }, requestId: string): Promise<void> {
      await conditionHeld(() =>
        db.send(
          new DeleteCommand({
            TableName: tableName,
            Key: slot,
            ConditionExpression: 'requestId = :id',
            ExpressionAttributeValues: { ':id': requestId },
          }),
        ),
      );
    },

    async recordCompletion(sub: string, at: string): Promise<void> {
      await db.send(new PutCommand({ TableName: tableName, Item: { ...keys.lastCompleted(sub), at } }));
    },

    async lastCompletion(sub: string): Promise<string | undefined> {
      return (await get<{ at: string }>(keys.lastCompleted(sub)))?.at;
    },

    /** Sets descriptive fields on a request (lookup results, risk), never its state. */
    async describeRequest(requestId: string, fields: RequestDescription): Promise<void> {
      const entries = Object.entries(fields);
      if (entries.length === 0) return;
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const sets = entries.map(([field, value], i) => {
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
  };
}

export type RecoveryStore = ReturnType<typeof createRecoveryStore>;
