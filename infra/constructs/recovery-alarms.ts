import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { BUSINESS_ALARMS, businessMetric } from '../observability';

export interface RecoveryAlarmsProps {
  readonly stateMachine: StateMachine;
  readonly httpApi: HttpApi;
  /** Status-change events the reconciler could not handle: a request may be left without its end. */
  readonly reconcilerDeadLetters: IQueue;
  /** Audit stream batches the publisher could not publish after its retries: events missing from the bus. */
  readonly auditEventDeadLetters: IQueue;
  /** Where every alarm goes (email, chat, paging). @default no action: nobody is told */
  readonly topic?: ITopic;
}

/**
 * What needs a person: recoveries that failed, half-finished or were stopped, support too slow,
 * guessing, unexpected errors (from the business metrics, so a throttle the workflow retries never
 * pages anyone), plus failed executions, dead letters, API 5xx and mail reputation.
 */
export class RecoveryAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: RecoveryAlarmsProps) {
    super(scope, id);
    const alarm = (name: string, metric: IMetric, threshold: number, description: string) => {
      const created = new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      if (props.topic) {
        created.addAlarmAction(new SnsAction(props.topic));
        created.addOkAction(new SnsAction(props.topic));
      }
      this.alarms.push(created);
    };
    for (const spec of BUSINESS_ALARMS)
      alarm(spec.id, businessMetric(spec), spec.threshold, spec.description);
    const period = Duration.minutes(5);
    alarm(
      'ExecutionsFailed',
      props.stateMachine.metricFailed({ period }),
      1,
      'A recovery execution failed: its request ended FAILED, SIGN_OUT_INCOMPLETE or ABORTED (runbook: ExecutionsFailed)',
    );
    alarm(
      'ExecutionsTimedOut',
      props.stateMachine.metricTimedOut({ period }),
      1,
      'A recovery execution timed out (runbook: ExecutionsFailed)',
    );
    alarm(
      'ReconcilerDeadLetters',
      props.reconcilerDeadLetters.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
      1,
      'An ended execution could not be reconciled: its request may have no terminal record (runbook: ReconcilerDeadLetters)',
    );
    alarm(
      'AuditEventDeadLetters',
      props.auditEventDeadLetters.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
      1,
      'Audit events could not be published to the bus after their retries: the table has them, subscribers do not (runbook: AuditEventDeadLetters)',
    );
    alarm('Api5xx', props.httpApi.metricServerError({ period }), 1, 'The API answered 5xx (runbook: Api5xx)');
    const ses = (metricName: string) =>
      new Metric({ namespace: 'AWS/SES', metricName, period, statistic: 'Maximum' });
    // SES reviews an account above 5 % bounces or 0.1 % complaints; warn well before.
    alarm(
      'SesBounceRate',
      ses('Reputation.BounceRate'),
      0.04,
      'SES bounce rate near the review threshold (runbook: SesReputation)',
    );
    alarm(
      'SesComplaintRate',
      ses('Reputation.ComplaintRate'),
      0.0008,
      'SES complaint rate near the review threshold (runbook: SesReputation)',
    );
  }
}
