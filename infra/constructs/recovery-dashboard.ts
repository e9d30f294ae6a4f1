import { Duration } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  type Metric,
  Row,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ILogGroup, QueryDefinition, QueryString } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { BusinessMetric } from '../../functions/domain/business-metrics';
import { TERMINAL_OUTCOMES } from '../../functions/domain/recovery-state';
import { businessMetric } from '../observability';

export interface RecoveryDashboardProps {
  readonly dashboardName: string;
  readonly functions: Readonly<Record<string, IFunction>>;
  /** The functions' log groups, for the saved Logs Insights queries. */
  readonly logGroups: readonly ILogGroup[];
}

/**
 * The operator's view: the funnel, outcomes, time to complete, support's turnaround, the attack
 * signals, unexpected errors and each function's health; plus the saved Logs Insights queries the
 * runbook uses.
 */
export class RecoveryDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: RecoveryDashboardProps) {
    super(scope, id);
    const sum = (metric: BusinessMetric, label: string, dimensions: Record<string, string> = {}) =>
      businessMetric({ metric, dimensions, statistic: 'Sum', periodMinutes: 5 }).with({ label });
    const percentile = (metric: BusinessMetric, statistic: 'p50' | 'p95') =>
      businessMetric({ metric, dimensions: {}, statistic: 'p95', periodMinutes: 60 }).with({
        statistic,
        label: `${metric} ${statistic}`,
      });
    const graph = (title: string, left: IMetric[], width = 12) =>
      new GraphWidget({ title, left, width, height: 6 });
    const perFunction = (title: string, of: (fn: IFunction) => Metric) =>
      graph(
        title,
        Object.entries(props.functions).map(([name, fn]) => of(fn).with({ label: name })),
        8,
      );

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# Lost-authenticator recovery\nWhat each alarm means and what to do: `docs/runbook.md`. One request\'s story: the saved Logs Insights query "one request by id".',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new Row(
        graph('Funnel: requested → code sent → confirmed → approved → completed', [
          sum('RequestsAccepted', 'requested (password)', { proof: 'PASSWORD' }),
          sum('RequestsAccepted', 'requested (anonymous)', { proof: 'NONE' }),
          sum('CodesSent', 'code sent'),
          sum('CodesConfirmed', 'confirmed'),
          sum('Approvals', 'approved'),
          sum('RecoveriesEnded', 'completed', { outcome: 'COMPLETED' }),
        ]),
        graph(
          'Outcomes',
          TERMINAL_OUTCOMES.map((outcome) => sum('RecoveriesEnded', outcome, { outcome })),
        ),
      ),
      new Row(
        graph(
          'Time to complete (ms)',
          [percentile('TimeToComplete', 'p50'), percentile('TimeToComplete', 'p95')],
          8,
        ),
        graph(
          'Support turnaround (ms)',
          [percentile('ApprovalWait', 'p50'), percentile('ApprovalWait', 'p95')],
          8,
        ),
        graph(
          'Attack signals and unexpected errors',
          [
            sum('WrongCodes', 'wrong codes'),
            sum('Locks', 'locks'),
            sum('UnexpectedErrors', 'unexpected errors'),
            sum('CognitoBudgetSpent', 'Cognito budget spent'),
          ],
          8,
        ),
      ),
      new Row(
        perFunction('Function errors', (fn) => fn.metricErrors({ period: Duration.minutes(5) })),
        perFunction('Function throttles', (fn) => fn.metricThrottles({ period: Duration.minutes(5) })),
        perFunction('Function duration p95', (fn) =>
          fn.metricDuration({ period: Duration.minutes(5), statistic: 'p95' }),
        ),
      ),
      new Row(
        graph(
          'Approvals still waiting (approval requests minus decisions, 1 h)',
          [
            new MathExpression({
              expression: 'requested - approved - denied',
              usingMetrics: {
                requested: sum('CodesConfirmed', 'confirmed'),
                approved: sum('Approvals', 'approved'),
                denied: sum('Denials', 'denied'),
              },
              label: 'indicative',
              period: Duration.hours(1),
            }),
          ],
          24,
        ),
      ),
    );

    new QueryDefinition(this, 'OneRequest', {
      queryDefinitionName: `${props.dashboardName}/one request by id`,
      logGroups: [...props.logGroups],
      queryString: new QueryString({
        fields: [
          '@timestamp',
          'function_name',
          'level',
          'message',
          'statusCode',
          'error.name',
          'error.message',
        ],
        filterStatements: ['correlationId = "REPLACE_WITH_REQUEST_ID"'],
        sort: '@timestamp asc',
        limit: 500,
      }),
    });
    new QueryDefinition(this, 'UnexpectedErrors', {
      queryDefinitionName: `${props.dashboardName}/unexpected errors`,
      logGroups: [...props.logGroups],
      queryString: new QueryString({
        fields: [
          '@timestamp',
          'function_name',
          'correlationId',
          'message',
          'error.name',
          'error.message',
          'error.stack',
        ],
        filterStatements: ['level = "ERROR"'],
        sort: '@timestamp desc',
        limit: 200,
      }),
    });
  }
}
