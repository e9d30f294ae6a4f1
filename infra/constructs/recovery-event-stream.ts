import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface RecoveryEventStreamProps {
  /** The audit table; it must have a stream (NEW_IMAGE). */
  readonly audit: ITable;
  /** The publish-audit-events function. */
  readonly publisher: IFunction;
  /** How often a failing record is delivered again before it is dead-lettered. @default 10 */
  readonly retryAttempts?: number;
}

/**
 * Publishes audit events off the request path: the audit table's stream triggers the publisher,
 * which reports the records it could not publish (partial batch response). Those are retried, a
 * failing batch is bisected, and what still fails after the retries or a day goes to a dead-letter
 * queue that an alarm watches (the queue holds where in the stream, not the events).
 */
export class RecoveryEventStream extends Construct {
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: RecoveryEventStreamProps) {
    super(scope, id);
    const retryAttempts = props.retryAttempts ?? 10;
    if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 10_000) {
      throw new Error(`retryAttempts must be a whole number from 0 to 10000, not ${retryAttempts}`);
    }
    if (!props.audit.tableStreamArn) {
      throw new Error('the audit table has no stream: give its schema `stream: NEW_IMAGE`');
    }
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is itself the on-failure destination of the audit stream.',
    });
    props.publisher.addEventSource(
      new DynamoEventSource(props.audit, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(0),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts,
        maxRecordAge: Duration.hours(24),
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );
  }
}
