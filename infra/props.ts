import { statSync } from 'node:fs';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { type BrandSettings, brandProblems } from '../functions/domain/brand';
import { type CognitoCategory, cognitoBudgetSchema } from '../functions/domain/cognito-budget';
import { riskPolicySchema } from '../functions/domain/risk';
import { verificationChecklistSchema } from '../functions/domain/verification-checklist';

/** The risk rules (see the README's "Risk policy"); unset fields keep their defaults. */
export interface RiskPolicyProps {
  /** @default ['admins'] */
  readonly privilegedGroups?: string[];
  /** @default 30 */
  readonly recentRecoveryDays?: number;
  /** @default 3 */
  readonly repeatedRequests?: number;
  /** @default 7 */
  readonly newAccountDays?: number;
  /** @default 3 */
  readonly failedPasswordAttempts?: number;
  /** @default - off: Cognito keeps no date of an email change */
  readonly emailChanged?: { readonly attribute: string; readonly days: number };
}

/** Everything an operator sets to run the recovery next to their user pool. */
export interface TotpRecoveryProps {
  /** The user pool whose users recover their TOTP factor. */
  readonly userPool: IUserPool;
  /**
   * The pool staff (support, auditors) sign in to, when it is not the user pool: customers and
   * staff then never share a pool, and the staff pool can federate to the company's SSO (SAML or
   * OIDC). The support and auditor groups, the staff app client and the live staff checks are there.
   * @default - the user pool
   */
  readonly staffUserPool?: IUserPool;
  /**
   * Your own app clients of the user pool whose access tokens may manage the user's recovery codes
   * (`POST /recovery-codes`), besides the product's enrolment client.
   * @default - only the product's enrolment client
   */
  readonly appClientIds?: readonly string[];
  /** The name authenticator apps show for the account. @default - the site's host name */
  readonly productName?: string;
  /**
   * Your brand and languages on every page and email: logo (an .svg or .png file path), primary and
   * accent colours (refused at synth below WCAG AA contrast), support contact, from-name, default
   * language, and your own wording of any message (`messages: { de: { 'request.submit': '...' } }`).
   * @default - the product's look, English by default, no support contact
   */
  readonly brand?: BrandSettings;
  /** Your sign-in page, offered once a user has set up a new authenticator. @default - none */
  readonly appSignInUrl?: string;
  /** Address the emails come from; its domain (or the address) must be a verified SES identity. */
  readonly fromAddress: string;
  /** Where new high-risk requests are announced to support. */
  readonly supportEmail: string;
  /**
   * Create the SES identity for the from-address's domain (then publish its DKIM records).
   * @default false - the identity already exists
   */
  readonly createEmailIdentity?: boolean;
  /** @default Duration.minutes(10) */
  readonly codeTtl?: Duration;
  /** @default 5 */
  readonly maxCodeAttempts?: number;
  /** Requests per user per `userRequestWindow`. @default 3 */
  readonly userRequestLimit?: number;
  /** @default Duration.hours(24) */
  readonly userRequestWindow?: Duration;
  /** Requests per source IP per `ipRequestWindow`. @default 20 */
  readonly ipRequestLimit?: number;
  /** @default Duration.hours(1) */
  readonly ipRequestWindow?: Duration;
  /**
   * Requests per second the product may make in each Cognito request-rate category, out of quotas
   * it shares with your own apps (per account and Region). Past it, `POST /recoveries` answers 429
   * before calling Cognito and workflow steps are retried a moment later. Raise a category (up to
   * 1,000) only when your account's quota leaves room for it.
   * @default 20 % of each category's default quota: UserAuthentication 24, UserRead 24, UserList 6,
   * UserResourceRead 10, UserUpdate 5, UserResourceUpdate 5, UserPoolRead 3
   */
  readonly cognitoBudget?: Readonly<Partial<Record<CognitoCategory, number>>>;
  /** @default - every rule at its default */
  readonly riskPolicy?: RiskPolicyProps;
  /** How long a high-risk request waits for support before it expires. @default Duration.hours(72) */
  readonly approvalTimeout?: Duration;
  /** Wait after approval during which the user can still cancel. @default Duration.seconds(0) - none */
  readonly coolDown?: Duration;
  /** Approvers needed for members of a privileged group. @default 2 */
  readonly privilegedApprovals?: number;
  /**
   * What support checks before deciding, in your words (up to 20 items of 1 to 200 characters, each
   * different): shown as checkboxes on each request; the items ticked are recorded with the decision.
   * @default [] - no checklist
   */
  readonly verificationChecklist?: readonly string[];
  /** @default 'mfa-recovery-support' */
  readonly supportGroup?: string;
  /** @default 'mfa-recovery-auditor' */
  readonly auditorGroup?: string;
  /** Retention of the functions', the workflow's and the API's logs. @default RetentionDays.ONE_YEAR */
  readonly logRetention?: RetentionDays;
  /** A custom domain for the pages and the API. @default - the execute-api URL */
  readonly domain?: { readonly domainName: string; readonly certificate: ICertificate };
  /**
   * Put CloudFront with AWS WAF in front (a rate-based rule per client IP, the AWS managed common and
   * bot-control rule groups). The `domain` then names the distribution, and its certificate must be
   * in us-east-1. The web ACL is made here when the stack is in us-east-1; elsewhere pass `webAclArn`.
   * @default - no CloudFront: the HTTP API answers directly (it cannot take a web ACL)
   */
  readonly edge?: { readonly webAclArn?: string; readonly rateLimit?: number };
  /** Where alarms go. @default - alarms without actions */
  readonly alarmTopic?: ITopic;
  /** Requests per second the API accepts (steady, burst). @default { rate: 50, burst: 100 } */
  readonly apiThrottle?: { readonly rate: number; readonly burst: number };
  /** What happens to the audit table when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly auditTableRemovalPolicy?: RemovalPolicy;
}

/** The props with every default applied; the functions read the same values from their environment. */
export interface ResolvedSettings {
  readonly codeTtlSeconds: number;
  readonly maxCodeAttempts: number;
  readonly userRequestLimit: number;
  readonly userRequestWindowSeconds: number;
  readonly ipRequestLimit: number;
  readonly ipRequestWindowSeconds: number;
  /** As set (COGNITO_BUDGET): the functions fill in the defaults, as they do the risk policy's. */
  readonly cognitoBudgetJson: string;
  readonly riskPolicyJson: string;
  readonly approvalTimeoutSeconds: number;
  readonly coolDownSeconds: number;
  readonly privilegedApprovals: number;
  readonly verificationChecklistJson: string;
  readonly supportGroup: string;
  readonly auditorGroup: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const GROUP = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

function between(problems: string[], name: string, value: number, min: number, max: number, unit: string) {
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be a whole number of ${unit} from ${min} to ${max} (got ${value})`);
  }
}

/** The logo must be a readable SVG or PNG of at most 256 KB (it travels inside the web function). */
function logoProblems(path: string): string[] {
  try {
    const size = statSync(path).size;
    return size > 256 * 1024 ? [`brand.logo ${path} is ${size} bytes; at most 256 KB`] : [];
  } catch {
    return [`brand.logo ${path}: no such file`];
  }
}

/**
 * Applies defaults and checks the props at synth time; every problem is reported at once, saying
 * what to change.
 */
export function resolveSettings(props: TotpRecoveryProps): ResolvedSettings {
  const problems: string[] = [];
  if (!EMAIL.test(props.fromAddress))
    problems.push(`fromAddress must be an email address (got "${props.fromAddress}")`);
  if (!EMAIL.test(props.supportEmail))
    problems.push(`supportEmail must be an email address (got "${props.supportEmail}")`);
  const budget = cognitoBudgetSchema.safeParse(props.cognitoBudget ?? {});
  if (!budget.success) {
    problems.push(
      ...budget.error.issues.map(
        (issue) =>
          `cognitoBudget${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message} (whole requests per second from 1 to 1000, by Cognito quota category)`,
      ),
    );
  }
  const settings: ResolvedSettings = {
    codeTtlSeconds: (props.codeTtl ?? Duration.minutes(10)).toSeconds(),
    maxCodeAttempts: props.maxCodeAttempts ?? 5,
    userRequestLimit: props.userRequestLimit ?? 3,
    userRequestWindowSeconds: (props.userRequestWindow ?? Duration.hours(24)).toSeconds(),
    ipRequestLimit: props.ipRequestLimit ?? 20,
    ipRequestWindowSeconds: (props.ipRequestWindow ?? Duration.hours(1)).toSeconds(),
    cognitoBudgetJson: JSON.stringify(props.cognitoBudget ?? {}),
    riskPolicyJson: JSON.stringify(props.riskPolicy ?? {}),
    approvalTimeoutSeconds: (props.approvalTimeout ?? Duration.hours(72)).toSeconds(),
    coolDownSeconds: (props.coolDown ?? Duration.seconds(0)).toSeconds(),
    privilegedApprovals: props.privilegedApprovals ?? 2,
    verificationChecklistJson: JSON.stringify(props.verificationChecklist ?? []),
    supportGroup: props.supportGroup ?? 'mfa-recovery-support',
    auditorGroup: props.auditorGroup ?? 'mfa-recovery-auditor',
  };
  between(problems, 'codeTtl', settings.codeTtlSeconds, 60, 3600, 'seconds (1 to 60 minutes)');
  between(problems, 'maxCodeAttempts', settings.maxCodeAttempts, 1, 20, 'attempts');
  between(problems, 'userRequestLimit', settings.userRequestLimit, 1, 1000, 'requests');
  between(problems, 'ipRequestLimit', settings.ipRequestLimit, 1, 1000, 'requests');
  between(problems, 'userRequestWindow', settings.userRequestWindowSeconds, 60, 30 * 86_400, 'seconds');
  between(problems, 'ipRequestWindow', settings.ipRequestWindowSeconds, 60, 30 * 86_400, 'seconds');
  between(problems, 'privilegedApprovals', settings.privilegedApprovals, 1, 5, 'approvers');
  // The workflow's execution timeout (10 days) must cover the code, the approval wait and the cool-down.
  between(
    problems,
    'approvalTimeout',
    settings.approvalTimeoutSeconds,
    300,
    7 * 86_400,
    'seconds (5 minutes to 7 days)',
  );
  between(problems, 'coolDown', settings.coolDownSeconds, 0, 2 * 86_400, 'seconds (up to 2 days)');
  for (const [name, group] of [
    ['supportGroup', settings.supportGroup],
    ['auditorGroup', settings.auditorGroup],
  ] as const) {
    if (!GROUP.test(group)) problems.push(`${name} must be a Cognito group name (got "${group}")`);
  }
  if (settings.supportGroup === settings.auditorGroup)
    problems.push('supportGroup and auditorGroup must differ');
  const policy = riskPolicySchema.safeParse(props.riskPolicy ?? {});
  if (!policy.success) {
    problems.push(
      ...policy.error.issues.map(
        (issue) => `riskPolicy.${issue.path.join('.') || '(object)'}: ${issue.message}`,
      ),
    );
  }
  problems.push(...brandProblems(props.brand ?? {}));
  if (props.brand?.logo) problems.push(...logoProblems(props.brand.logo));
  // Lambda holds 4 KB of environment per function, every variable together.
  const overrides = JSON.stringify(props.brand?.messages ?? {}).length;
  if (overrides > 2048) {
    problems.push(
      `brand.messages take ${overrides} bytes; a function's environment holds 4 KB in all, so keep overrides under 2048 bytes`,
    );
  }
  const checklist = verificationChecklistSchema.safeParse(props.verificationChecklist ?? []);
  if (!checklist.success) {
    problems.push(
      ...checklist.error.issues.map(
        (issue) =>
          `verificationChecklist${issue.path.length ? `[${issue.path.join('.')}]` : ''}: ${issue.message} (up to 20 different items of 1 to 200 characters)`,
      ),
    );
  }
  // It travels in the environment too, which holds 4 KB per function in all.
  if (settings.verificationChecklistJson.length > 1024) {
    problems.push(
      `verificationChecklist takes ${settings.verificationChecklistJson.length} bytes as JSON; keep it under 1024 bytes (shorter or fewer items)`,
    );
  }
  if (problems.length > 0) throw new Error(`TotpRecovery: ${problems.join('; ')}`);
  return settings;
}
