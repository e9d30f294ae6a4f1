/** What the risk rules look at; gathered by the workflow from the pool and the request history. */
export interface RiskSignals {
  readonly groups: readonly string[];
  readonly recentCompletedRecoveries: number;
}

export interface RiskPolicy {
  readonly privilegedGroups: readonly string[];
  readonly recentRecoveryDays: number;
}

export type RiskLevel = 'LOW' | 'HIGH';

export interface RiskAssessment {
  readonly level: RiskLevel;
  readonly reasons: readonly string[];
}

/** A simple rule set: each matching rule adds a reason; any reason makes the request HIGH. */
export function assessRisk(signals: RiskSignals, policy: RiskPolicy): RiskAssessment {
  const reasons: string[] = [];
  const privileged = signals.groups.filter((group) => policy.privilegedGroups.includes(group));
  if (privileged.length > 0) reasons.push(`PRIVILEGED_GROUP:${privileged.join(',')}`);
  if (signals.recentCompletedRecoveries > 0) reasons.push(`RECENT_RECOVERY:${policy.recentRecoveryDays}d`);
  return { level: reasons.length > 0 ? 'HIGH' : 'LOW', reasons };
}
