import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { freeSlots, type SlidingWindow, secondsUntilFree } from '../domain/rate-limit';

export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/** Sliding-window limits in DynamoDB, atomic under concurrency (see domain/rate-limit.ts). */
export function createRateLimiter(db: DynamoDBDocumentClient, tableName: string) {
  return {
    async take(
      key: { pk: string; sk: string },
      window: SlidingWindow,
      nowSeconds: number,
    ): Promise<RateDecision> {
      const current = await db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      const slots = Array.from(
        { length: window.limit },
        (_, i) => current.Item?.[`s${i}`] as number | undefined,
      );
      for (const index of freeSlots(slots, window, nowSeconds)) {
        const seen = slots[index];
        try {
          await db.send(
            new UpdateCommand({
              TableName: tableName,
              Key: key,
              UpdateExpression: 'SET #slot = :now, #ttl = :ttl',
              ConditionExpression: seen === undefined ? 'attribute_not_exists(#slot)' : '#slot = :seen',
              ExpressionAttributeNames: { '#slot': `s${index}`, '#ttl': 'ttl' },
              ExpressionAttributeValues: {
                ':now': nowSeconds,
                ':ttl': nowSeconds + window.windowSeconds,
                ...(seen === undefined ? {} : { ':seen': seen }),
              },
            }),
          );
          return { allowed: true };
        } catch (error) {
          // Someone else took this slot first: try the next free one.
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          slots[index] = nowSeconds;
        }
      }
      return { allowed: false, retryAfterSeconds: secondsUntilFree(slots, window, nowSeconds) };
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
