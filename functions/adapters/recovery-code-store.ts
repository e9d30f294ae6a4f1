import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RecoveryCodeStatus } from '../domain/recovery-codes';
import { conditionHeld } from './aws-errors';
import { keys } from './recovery-keys';

export type { RecoveryCodeStatus };

/**
 * A user's saved recovery codes, one item holding their HMACs as a string set. Issuing replaces the
 * item (the old set stops working at once); using a code removes its HMAC in a conditional write,
 * so each code works once, whatever runs in parallel.
 */
export function createRecoveryCodeStore(db: DynamoDBDocumentClient, tableName: string) {
  const read = async (sub: string) => {
    const found = await db.send(
      new GetCommand({ TableName: tableName, Key: keys.recoveryCodes(sub), ConsistentRead: true }),
    );
    return {
      hashes: found.Item?.hashes as Set<string> | undefined,
      issuedAt: found.Item?.issuedAt as string | undefined,
    };
  };

  return {
    async replace(sub: string, hashes: readonly string[], issuedAt: string): Promise<void> {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...keys.recoveryCodes(sub), hashes: new Set(hashes), issuedAt },
        }),
      );
    },

    async status(sub: string): Promise<RecoveryCodeStatus> {
      const { hashes, issuedAt } = await read(sub);
      return { remaining: hashes?.size ?? 0, issuedAt: issuedAt ?? null };
    },

    /** True when one of `candidates` (the code's HMAC under each pepper that verifies) is unused. */
    async holds(sub: string, candidates: readonly string[]): Promise<boolean> {
      const { hashes } = await read(sub);
      return candidates.some((hash) => hashes?.has(hash) === true);
    },

    /**
     * Uses the code: removes the first candidate still in the set. Resolves the codes left, or
     * undefined when none was there (used meanwhile, or never issued).
     */
    async consume(sub: string, candidates: readonly string[]): Promise<number | undefined> {
      for (const hash of candidates) {
        let remaining: number | undefined;
        const held = await conditionHeld(async () => {
          const updated = await db.send(
            new UpdateCommand({
              TableName: tableName,
              Key: keys.recoveryCodes(sub),
              UpdateExpression: 'DELETE hashes :used',
              ConditionExpression: 'contains(hashes, :hash)',
              ExpressionAttributeValues: { ':used': new Set([hash]), ':hash': hash },
              ReturnValues: 'ALL_NEW',
            }),
          );
          remaining = (updated.Attributes?.hashes as Set<string> | undefined)?.size ?? 0;
        });
        if (held) return remaining;
      }
      return undefined;
    },
  };
}

export type RecoveryCodeStore = ReturnType<typeof createRecoveryCodeStore>;
