import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse } from 'aws-lambda';
import * as z from 'zod';
import { loadConfig } from '../shared/config';
import { auditEventPublishingFrom } from '../shared/dependencies';
import { perEnvironment } from '../shared/environment';
import { withInvocation } from '../shared/observability';
import { publishAuditEvents } from '../use-cases/publish-audit-events';

const deps = perEnvironment(() => {
  return auditEventPublishingFrom(loadConfig(['auditTableName']));
});

/** A batch of the audit table's stream (NEW_IMAGE), as Lambda delivers it: only the fields we read. */
const streamBatch = z.object({
  Records: z.array(
    z.object({
      eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
      dynamodb: z.object({
        SequenceNumber: z.string().min(1),
        NewImage: z.record(z.string(), z.unknown()).optional(),
      }),
    }),
  ),
});

/**
 * Publishes the audit events the table's stream reports written to the bus, off the request path
 * (ADR 0005). Answers a partial batch response: Lambda delivers the failed records again, then sends
 * what still fails to the dead-letter queue.
 */
export async function handler(event: unknown, context?: Context): Promise<DynamoDBBatchResponse> {
  return withInvocation({}, context, async () => {
    const { Records } = streamBatch.parse(event);
    return publishAuditEvents(
      Records.map((record) => ({
        itemIdentifier: record.dynamodb.SequenceNumber,
        eventName: record.eventName,
        // The stream's image is DynamoDB JSON, the shape the SDK's unmarshall reads.
        ...(record.dynamodb.NewImage
          ? { newItem: unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>) }
          : {}),
      })),
      deps(),
    );
  });
}
