import * as z from 'zod';

const DAY_MS = 86_400_000;

/**
 * The risk policy: which signals make a request HIGH (support must approve it). Operators set it as
 * JSON (CDK prop `riskPolicy`, locally `local/risk-policy.json`); every field has a default, and a
 * rule with a threshold of 0 is off. Requests of users who also lost their password are always HIGH.
 */
export const riskPolicySchema = z.strictObject({
  /** Members of these groups are HIGH. */
  privilegedGroups: z
    .array(z.string().regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u, 'must be a Cognito group name'))
    .max(25)
    .default(['admins']),
  /** HIGH when the user completed a recovery in this many days (0: off). */
  recentRecoveryDays: z.number().int().min(0).max(400).default(30),
  /** HIGH when this request is at least the Nth of the user within the user rate-limit window (0: off). */
  repeatedRequests: z.number().int().min(0).max(1000).default(3),
  /** HIGH when the account was created less than this many days ago (0: off). */
  newAccountDays: z.number().int().min(0).max(3650).default(7),
  /** HIGH when the recovery form saw at least this many wrong passwords for the user in the last 24 h (0: off). */
  failedPasswordAttempts: z.number().int().min(0).max(20).default(3),
  /**
   * Cognito keeps no date of an email change. Pools that record one in a custom attribute (ISO 8601
   * date or epoch seconds, written by the app when the email changes) can name it here.
   */
  emailChanged: z
    .strictObject({
      attribute: z
        .string()
        .regex(/^custom:[\w-]{1,20}$/, 'must be a custom attribute such as custom:email_changed_at'),
      days: z.number().int().min(1).max(400),
    })
    .optional(),
});

export type RiskPolicy = z.infer<typeof riskPolicySchema>;

/** The policy with every default: what applies when the operator sets nothing. */
export const DEFAULT_RISK_POLICY: RiskPolicy = riskPolicySchema.parse({});

/** What the risk rules look at; gathered from the pool, the request and the user's history. */
export interface RiskSignals {
  readonly groups: readonly string[];
  /** ISO 8601 time of the user's last completed recovery, if any. */
  readonly lastCompletedRecoveryAt?: string;
  /** Requests of this user in the rate-limit window, this one included. */
  readonly requestsInWindow: number;
  readonly accountCreatedAt?: string;
  /** Wrong passwords the recovery form saw for this user in the 24 h before the request. */
  readonly failedPasswordAttempts: number;
  readonly emailChangedAt?: string;
  readonly lostPassword: boolean;
  /**
   * Proved with the password and a saved recovery code, not the mailbox: the rules that exist to
   * distrust the mailbox (a recent recovery, repeated requests, a changed email) do not apply.
   */
  readonly provedWithRecoveryCode?: boolean;
}

export type RiskLevel = 'LOW' | 'HIGH';

export interface RiskAssessment {
  readonly level: RiskLevel;
  readonly reasons: readonly string[];
}

const within = (at: string | undefined, days: number, now: Date) => {
  const time = at === undefined ? Number.NaN : Date.parse(at);
  return days > 0 && Number.isFinite(time) && now.getTime() - time < days * DAY_MS;
};

/** Each matching rule adds a reason; any reason makes the request HIGH. */
export function assessRisk(signals: RiskSignals, policy: RiskPolicy, now: Date): RiskAssessment {
  const reasons: string[] = [];
  if (signals.lostPassword) reasons.push('LOST_PASSWORD');
  const privileged = signals.groups.filter((group) => policy.privilegedGroups.includes(group));
  if (privileged.length > 0) reasons.push(`PRIVILEGED_GROUP:${privileged.join(',')}`);
  const mailboxTrusted = signals.provedWithRecoveryCode !== true;
  if (mailboxTrusted && within(signals.lastCompletedRecoveryAt, policy.recentRecoveryDays, now)) {
    reasons.push(`RECENT_RECOVERY:${policy.recentRecoveryDays}d`);
  }
  if (mailboxTrusted && policy.repeatedRequests > 0 && signals.requestsInWindow >= policy.repeatedRequests) {
    reasons.push(`REPEATED_REQUESTS:${signals.requestsInWindow}`);
  }
  if (within(signals.accountCreatedAt, policy.newAccountDays, now)) {
    reasons.push(`NEW_ACCOUNT:${policy.newAccountDays}d`);
  }
  if (policy.failedPasswordAttempts > 0 && signals.failedPasswordAttempts >= policy.failedPasswordAttempts) {
    reasons.push(`FAILED_PASSWORDS:${signals.failedPasswordAttempts}`);
  }
  if (
    mailboxTrusted &&
    policy.emailChanged &&
    within(signals.emailChangedAt, policy.emailChanged.days, now)
  ) {
    reasons.push(`EMAIL_CHANGED:${policy.emailChanged.days}d`);
  }
  return { level: reasons.length > 0 ? 'HIGH' : 'LOW', reasons };
}

/** Reads an email-change attribute: ISO 8601 or epoch seconds; anything else counts as absent. */
export function emailChangeTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const time = /^\d{9,11}$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  return Number.isFinite(time) ? new Date(time).toISOString() : undefined;
}
