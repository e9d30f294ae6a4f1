import { Duration, Validations } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RECONCILED_EXECUTION_STATUSES } from '../../functions/domain/recovery-state';

export interface RecoveryReconcilerProps {
  readonly stateMachine: IStateMachine;
  /** The reconcile-recovery function. */
  readonly reconciler: IFunction;
}

/**
 * Ends the request of every execution that failed, timed out or was stopped outside the workflow's
 * own catches: Step Functions' status-change events (default bus) go to the reconciler, retried for a
 * day, then kept in a dead-letter queue that an alarm watches.
 */
export class RecoveryReconciler extends Construct {
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: RecoveryReconcilerProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the reconciler rule.',
    });
    new Rule(this, 'ExecutionEnded', {
      description: 'Recovery executions that ended FAILED, TIMED_OUT or ABORTED',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [props.stateMachine.stateMachineArn],
          status: [...RECONCILED_EXECUTION_STATUSES],
        },
      },
      targets: [
        new LambdaFunction(props.reconciler, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }
}
