import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { type BusinessMetric, METRICS_NAMESPACE, SERVICE_NAME } from '../functions/domain/business-metrics';

export { METRICS_NAMESPACE, SERVICE_NAME };

/** An alarm on a business metric: what needs a person, and the exact metric it watches. */
export interface BusinessAlarm {
  readonly id: string;
  readonly metric: BusinessMetric;
  /** Besides `service`, which every business metric carries. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: 'Sum' | 'p95';
  readonly periodMinutes: number;
  readonly threshold: number;
  readonly description: string;
}

/**
 * The alarms that need a person (docs/runbook.md says what to do for each). They watch business
 * metrics, never the functions' own error counts, which a throttle the workflow retries also raises.
 */
export const BUSINESS_ALARMS: readonly BusinessAlarm[] = [
  {
    id: 'RecoveryFailed',
    metric: 'RecoveriesEnded',
    dimensions: { outcome: 'FAILED' },
    statistic: 'Sum',
    periodMinutes: 5,
    threshold: 1,
    description: 'A recovery ended FAILED: the user could not be helped (runbook: RecoveryFailed)',
  },
  {
    id: 'SignOutIncomplete',
    metric: 'RecoveriesEnded',
    dimensions: { outcome: 'SIGN_OUT_INCOMPLETE' },
    statistic: 'Sum',
    periodMinutes: 5,
    threshold: 1,
    description: 'A factor was removed but not every session was revoked (runbook: SignOutIncomplete)',
  },
  {
    id: 'RecoveryAborted',
    metric: 'RecoveriesEnded',
    dimensions: { outcome: 'ABORTED' },
    statistic: 'Sum',
    periodMinutes: 5,
    threshold: 1,
    description:
      'An execution was stopped or timed out; the reconciler ended its request (runbook: RecoveryAborted)',
  },
  {
    id: 'ApprovalExpired',
    metric: 'RecoveriesEndedByReason',
    dimensions: { outcome: 'EXPIRED', reason: 'APPROVAL_TIMED_OUT' },
    statistic: 'Sum',
    periodMinutes: 60,
    threshold: 1,
    description: 'A request waited for support until its deadline and expired (runbook: ApprovalExpired)',
  },
  {
    id: 'ApprovalWaitLong',
    metric: 'ApprovalWait',
    dimensions: {},
    statistic: 'p95',
    periodMinutes: 60,
    threshold: 8 * 3600 * 1000,
    description: 'Support took more than 8 hours to approve (p95 over an hour) (runbook: ApprovalWaitLong)',
  },
  {
    id: 'LockSpike',
    metric: 'Locks',
    dimensions: {},
    statistic: 'Sum',
    periodMinutes: 15,
    threshold: 10,
    description: 'Many requests locked by wrong codes: someone may be guessing (runbook: LockSpike)',
  },
  {
    id: 'WrongCodeSpike',
    metric: 'WrongCodes',
    dimensions: {},
    statistic: 'Sum',
    periodMinutes: 15,
    threshold: 100,
    description: 'Many wrong codes: someone may be guessing (runbook: WrongCodeSpike)',
  },
  {
    id: 'CognitoBudgetSpent',
    metric: 'CognitoBudgetSpent',
    dimensions: {},
    statistic: 'Sum',
    periodMinutes: 5,
    threshold: 1,
    description:
      'The product used up its share of a Cognito request-rate quota: requests got 429 or steps were retried (runbook: CognitoBudgetSpent)',
  },
  {
    id: 'UnexpectedErrors',
    metric: 'UnexpectedErrors',
    dimensions: {},
    statistic: 'Sum',
    periodMinutes: 5,
    threshold: 1,
    description:
      'A function met an error it does not expect: a bug or a misconfiguration (runbook: UnexpectedErrors)',
  },
];

/** One metric as an EMF blob declares it: namespace, name and the full dimension set. */
export interface EmittedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** The alarms whose exact metric (namespace, name, dimension names and values) was never emitted. */
export function alarmsWithoutMetric(
  alarms: readonly BusinessAlarm[],
  emitted: readonly EmittedMetric[],
): string[] {
  const key = (namespace: string, name: string, dimensions: Readonly<Record<string, string>>) =>
    `${namespace}/${name}/${JSON.stringify(Object.entries(dimensions).sort())}`;
  const seen = new Set(emitted.map((m) => key(m.namespace, m.name, m.dimensions)));
  return alarms
    .filter((a) => !seen.has(key(METRICS_NAMESPACE, a.metric, { service: SERVICE_NAME, ...a.dimensions })))
    .map((a) => `${a.id} (${a.metric} ${JSON.stringify(a.dimensions)})`);
}

/** The metrics declared by the EMF blobs among JSON log lines. */
export function emittedMetrics(lines: readonly Record<string, unknown>[]): EmittedMetric[] {
  return lines.flatMap((line) => {
    const aws = line._aws as
      | { CloudWatchMetrics?: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] }
      | undefined;
    return (aws?.CloudWatchMetrics ?? []).flatMap((directive) =>
      directive.Dimensions.flatMap((set) =>
        directive.Metrics.map((metric) => ({
          namespace: directive.Namespace,
          name: metric.Name,
          dimensions: Object.fromEntries(set.map((d) => [d, String(line[d])])),
        })),
      ),
    );
  });
}

/** The CloudWatch metric of a business metric with its dimensions (service included). */
export function businessMetric(
  spec: Pick<BusinessAlarm, 'metric' | 'dimensions' | 'statistic' | 'periodMinutes'>,
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: spec.metric,
    dimensionsMap: { service: SERVICE_NAME, ...spec.dimensions },
    statistic: spec.statistic,
    period: Duration.minutes(spec.periodMinutes),
  });
}
