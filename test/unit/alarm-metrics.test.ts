import { describe, expect, it } from 'vitest';
import { alarmsWithoutMetric, BUSINESS_ALARMS, emittedMetrics } from '../../infra/observability';

const blob = (name: string, dimensions: Record<string, string>) => ({
  _aws: {
    Timestamp: 0,
    CloudWatchMetrics: [
      {
        Namespace: 'CognitoTotpRecovery',
        Dimensions: [Object.keys(dimensions)],
        Metrics: [{ Name: name, Unit: 'Count' }],
      },
    ],
  },
  ...dimensions,
  [name]: 1,
});

describe('checking alarms against the metrics emitted', () => {
  it('names an alarm whose metric was never emitted, and accepts it once it was', () => {
    const failed = BUSINESS_ALARMS.filter((a) => a.id === 'RecoveryFailed');
    expect(alarmsWithoutMetric(failed, emittedMetrics([]))).toEqual([
      'RecoveryFailed (RecoveriesEnded {"outcome":"FAILED"})',
    ]);
    const emitted = emittedMetrics([
      blob('RecoveriesEnded', { service: 'cognito-totp-recovery', outcome: 'FAILED' }),
    ]);
    expect(alarmsWithoutMetric(failed, emitted)).toEqual([]);
  });

  it('tells dimension values apart: COMPLETED does not satisfy an alarm on FAILED', () => {
    const failed = BUSINESS_ALARMS.filter((a) => a.id === 'RecoveryFailed');
    const emitted = emittedMetrics([
      blob('RecoveriesEnded', { service: 'cognito-totp-recovery', outcome: 'COMPLETED' }),
    ]);
    expect(alarmsWithoutMetric(failed, emitted)).toHaveLength(1);
  });
});
