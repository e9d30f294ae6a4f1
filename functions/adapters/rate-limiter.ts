import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateDecision } from '../domain/ports';
import { eventsInWindow, freeSlots, type SlidingWindow, secondsUntilFree } from '../domain/rate-limit';

export type { RateDecision };

/** Sliding-window limits in DynamoDB, atomic under concurrency (see domain/rate-limit.ts). */
export function createRateLimiter(db: DynamoDBDocumentClient, tableName: string) {
  async function slotsOf(key: { pk: string; sk: string }, limit: number) {
    const current = await db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return Array.from({ length: limit }, (_, i) => current.Item?.[`s${i}`] as number | undefined);
  }

  return {
    /** Events in the window so far, without recording one. */
    async count(key: { pk: string; sk: string }, window: SlidingWindow, nowSeconds: number): Promise<number> {
      return eventsInWindow(await slotsOf(key, window.limit), window, nowSeconds);
    },

    async take(
      key: { pk: string; sk: string },
      window: SlidingWindow,
      nowSeconds: number,
    ): Promise<RateDecision> {
      const slots = await slotsOf(key, window.limit);
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
          slots[index] = nowSeconds;
          return { allowed: true, inWindow: eventsInWindow(slots, window, nowSeconds) };
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
