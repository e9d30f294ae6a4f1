import type { TerminalOutcome } from './recovery-state';

/** The service name on every log line, metric and trace. */
export const SERVICE_NAME = 'cognito-totp-recovery';
/** The CloudWatch namespace of the product's business metrics (infra/observability.ts alarms on them). */
export const METRICS_NAMESPACE = 'CognitoTotpRecovery';

/** One business metric point: what operators count, time and alarm on. */
export interface MetricPoint {
  readonly name: BusinessMetric;
  readonly value: number;
  readonly unit: 'Count' | 'Milliseconds';
  readonly dimensions?: Readonly<Record<string, string>>;
}

/** Every business metric the product emits (infra/observability.ts builds the dashboard and alarms on them). */
export type BusinessMetric =
  | 'RequestsAccepted'
  | 'CodesSent'
  | 'CodesConfirmed'
  | 'WrongCodes'
  | 'Locks'
  | 'Approvals'
  | 'Denials'
  | 'Cancels'
  | 'RecoveriesEnded'
  | 'RecoveriesEndedByReason'
  | 'TimeToComplete'
  | 'ApprovalWait'
  | 'UnexpectedErrors'
  | 'RecoveryCodeSetsIssued'
  | 'RecoveryCodesUsed'
  | 'AuthenticatorsAdded'
  /** Takes the Cognito budget refused (domain/cognito-budget.ts): no dimension, and by `category`. */
  | 'CognitoBudgetSpent';

/** The parts of an audit event the metrics are read from; never a secret. */
export interface AuditedStep {
  readonly type: string;
  readonly outcome?: string;
  readonly terminal?: TerminalOutcome;
  readonly reasons?: readonly string[];
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

const count = (name: BusinessMetric, dimensions?: Record<string, string>): MetricPoint => ({
  name,
  value: 1,
  unit: 'Count',
  ...(dimensions ? { dimensions } : {}),
});

/**
 * The business metrics an audit event stands for. Every step of a recovery is audited, so counting
 * the audit trail counts the business: one mapping, and nothing counted that did not happen.
 */
export function metricsOf(event: AuditedStep): MetricPoint[] {
  const points: MetricPoint[] = [];
  const numeric = (key: string) =>
    typeof event.details?.[key] === 'number' ? (event.details[key] as number) : undefined;
  switch (event.type) {
    case 'RecoveryRequested':
      points.push(count('RequestsAccepted', { proof: String(event.details?.proof ?? 'PASSWORD') }));
      break;
    case 'CodeSent':
      points.push(count('CodesSent'));
      break;
    case 'CodeConfirmed':
      points.push(count('CodesConfirmed'));
      break;
    case 'CodeRejected':
      points.push(count('WrongCodes'));
      break;
    case 'RecoveryCodesIssued':
      points.push(count('RecoveryCodeSetsIssued'));
      break;
    case 'RecoveryCodeUsed':
      points.push(count('RecoveryCodesUsed'));
      break;
    case 'AuthenticatorAdded':
      points.push(count('AuthenticatorsAdded'));
      break;
    case 'Approved':
      if (event.outcome === 'APPROVED') {
        points.push(count('Approvals'));
        const waited = numeric('waitedMs');
        if (waited !== undefined) points.push({ name: 'ApprovalWait', value: waited, unit: 'Milliseconds' });
      }
      break;
    default:
      break;
  }
  if (event.terminal) {
    const reason = (event.reasons?.[0] ?? 'NONE').split(':')[0] ?? 'NONE';
    points.push(count('RecoveriesEnded', { outcome: event.terminal }));
    points.push(count('RecoveriesEndedByReason', { outcome: event.terminal, reason }));
    if (event.terminal === 'LOCKED') points.push(count('Locks'));
    if (event.terminal === 'DENIED') points.push(count('Denials'));
    if (event.terminal === 'CANCELLED') points.push(count('Cancels'));
    const duration = numeric('durationMs');
    if (event.terminal === 'COMPLETED' && duration !== undefined) {
      points.push({ name: 'TimeToComplete', value: duration, unit: 'Milliseconds' });
    }
  }
  return points;
}
