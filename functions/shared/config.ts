import * as z from 'zod';
import { LANGUAGES, type MessageOverrides, overrideProblems } from '../../web/i18n/languages';
import { type BrandColours, brandColourProblems } from '../domain/brand';
import { cognitoBudgetSchema } from '../domain/cognito-budget';
import { riskPolicySchema } from '../domain/risk';
import { verificationChecklistSchema } from '../domain/verification-checklist';
import { currentEnvironment } from './environment';
import { ConfigError } from './errors';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
// A limit is kept as one timestamp slot per allowed request in a single item (domain/rate-limit.ts).
const requestLimit = (fallback: number) => z.coerce.number().int().min(1).max(1000).default(fallback);

/** A setting its variable holds as JSON: parsed, then checked by `schema`. */
const jsonSetting = <T extends z.ZodType>(fallback: string, shape: string, schema: T) =>
  z
    .string()
    .default(fallback)
    .transform((value, context) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: `must be ${shape}` });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** A check that reports each of a domain function's problems as an issue. */
const checkedBy =
  (problems: (value: unknown) => readonly string[]) => (value: unknown, context: z.RefinementCtx) => {
    for (const message of problems(value)) context.addIssue({ code: 'custom', message });
  };

/** Every setting of the product, with its environment variable and default. */
const settingsSchema = z.object({
  region: z.string().min(1),
  /** How long an AWS call may go unanswered before the SDK gives up on it and retries. */
  requestTimeoutMs: positiveInt(3000),
  /** Where every audit event is also published; unset, nothing is published (tests of single functions). */
  eventBusName: z.string().min(1).optional(),
  /** The group whose members may read the audit trail. */
  auditorGroup: z.string().min(1).default('mfa-recovery-auditor'),
  recoveryTableName: z.string().min(1),
  auditTableName: z.string().min(1),
  userPoolId: z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'must look like us-east-1_AbC123xyz'),
  /** The pool staff sign in to (the user pool unless staff have their own): live staff checks read it. */
  staffUserPoolId: z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'must look like us-east-1_AbC123xyz'),
  passwordProofClientId: z.string().min(1),
  stateMachineArn: z.string().startsWith('arn:'),
  fromAddress: z.string().email(),
  /** Where the pages are; without a trailing slash, so links are built by appending a path. */
  publicBaseUrl: z
    .string()
    .url()
    .transform((url) => url.replace(/\/+$/, '')),
  /** The HMAC pepper's Secrets Manager secret (locally, the local Secrets Manager's). */
  pepperSecretArn: z.string().startsWith('arn:'),
  /** How long a function keeps the pepper before reading it again: a rotation applies within this. */
  pepperMaxAgeSeconds: positiveInt(300),
  codeTtlSeconds: positiveInt(600),
  maxCodeAttempts: positiveInt(5),
  userRequestLimit: requestLimit(3),
  userRequestWindowSeconds: positiveInt(86_400),
  ipRequestLimit: requestLimit(20),
  ipRequestWindowSeconds: positiveInt(3_600),
  /**
   * JSON, requests per second by Cognito quota category (`{"UserAuthentication":24}`); unset
   * categories keep 20 % of AWS's default quota (functions/domain/cognito-budget.ts).
   */
  cognitoBudget: jsonSetting('{}', 'a JSON object', cognitoBudgetSchema),
  /** JSON; see functions/domain/risk.ts for the rules and their defaults. */
  riskPolicy: jsonSetting('{}', 'a JSON object', riskPolicySchema),
  approvalTimeoutSeconds: positiveInt(72 * 3600),
  /** How long a user's slot held by a request that was never stored blocks the user's next request. */
  slotGraceSeconds: positiveInt(60),
  coolDownSeconds: z.coerce.number().int().min(0).default(0),
  privilegedApprovals: z.coerce.number().int().min(1).max(5).default(2),
  /** JSON array: what support checks before deciding (functions/domain/verification-checklist.ts). */
  verificationChecklist: jsonSetting('[]', 'a JSON array of strings', verificationChecklistSchema),
  supportGroup: z.string().min(1).default('mfa-recovery-support'),
  supportEmail: z.string().email(),
  /** The app client staff sign in with (support console, CLI); the JWT authorizer's audience. */
  staffClientId: z.string().min(1),
  /** The product's public client of the user pool (re-enrolment page, recovery codes). */
  enrollClientId: z.string().min(1),
  /** The name authenticator apps show for the account; unset, the site's host name. */
  productName: z.string().trim().min(1).max(64).optional(),
  /** The operator's sign-in page, offered once a user has set up a new authenticator. */
  appSignInUrl: z.string().url().optional(),
  /** Where users reach support (a page): shown on every dead end and in every email. */
  supportUrl: z.string().url().optional(),
  /** The address users write to for support: shown on every dead end and in every email. */
  supportContactEmail: z.string().email().optional(),
  /** The language of pages no one asked a language of, and of emails to accounts without a `locale`. */
  defaultLanguage: z.enum(LANGUAGES).default('en'),
  /** JSON: the operator's own wording of any message, by language and key (web/i18n). */
  messageOverrides: jsonSetting(
    '{}',
    'a JSON object',
    z
      .unknown()
      .superRefine(checkedBy(overrideProblems))
      .transform((value) => value as MessageOverrides),
  ),
  /** Brand colours (buttons and links; the band and headings), each checked for WCAG AA contrast. */
  brandColours: jsonSetting(
    '{}',
    'a JSON object',
    z
      .strictObject({ primary: z.string().optional(), accent: z.string().optional() })
      .superRefine(checkedBy((colours) => brandColourProblems(colours as BrandColours))),
  ),
  /** The logo file (SVG or PNG) the pages and emails show: in AWS, inside the web function's bundle. */
  brandLogoFile: z
    .string()
    .regex(/\.(svg|png)$/i, 'must be an .svg or .png file')
    .optional(),
  /** The name emails come from; unset, the product's name. */
  fromName: z.string().trim().min(1).max(64).optional(),
  /**
   * With CloudFront in front: the value of the `x-origin-verify` header CloudFront adds. Requests
   * without it did not pass the WAF and are refused; with it, the viewer's address is the client's.
   */
  originVerify: z.string().min(32).optional(),
  /** Local stack only: the mailbox link the pages show. */
  mailboxUrl: z.string().url().optional(),
  endpoints: z.object({
    dynamodb: z.string().url().optional(),
    ses: z.string().url().optional(),
    cognito: z.string().url().optional(),
    stepfunctions: z.string().url().optional(),
    eventbridge: z.string().url().optional(),
    secretsmanager: z.string().url().optional(),
    sns: z.string().url().optional(),
  }),
});

export type Settings = z.infer<typeof settingsSchema>;
type BaseSetting = 'region' | 'endpoints' | 'requestTimeoutMs' | 'eventBusName';
type SettingName = Exclude<keyof Settings, BaseSetting>;

const environmentNames: Record<SettingName, string> = {
  recoveryTableName: 'RECOVERY_TABLE_NAME',
  auditTableName: 'AUDIT_TABLE_NAME',
  userPoolId: 'USER_POOL_ID',
  staffUserPoolId: 'STAFF_USER_POOL_ID',
  passwordProofClientId: 'PASSWORD_PROOF_CLIENT_ID',
  stateMachineArn: 'STATE_MACHINE_ARN',
  fromAddress: 'FROM_ADDRESS',
  publicBaseUrl: 'PUBLIC_BASE_URL',
  pepperSecretArn: 'PEPPER_SECRET_ARN',
  pepperMaxAgeSeconds: 'PEPPER_MAX_AGE_SECONDS',
  codeTtlSeconds: 'CODE_TTL_SECONDS',
  maxCodeAttempts: 'MAX_CODE_ATTEMPTS',
  userRequestLimit: 'USER_REQUEST_LIMIT',
  userRequestWindowSeconds: 'USER_REQUEST_WINDOW_SECONDS',
  ipRequestLimit: 'IP_REQUEST_LIMIT',
  ipRequestWindowSeconds: 'IP_REQUEST_WINDOW_SECONDS',
  cognitoBudget: 'COGNITO_BUDGET',
  riskPolicy: 'RISK_POLICY',
  approvalTimeoutSeconds: 'APPROVAL_TIMEOUT_SECONDS',
  slotGraceSeconds: 'SLOT_GRACE_SECONDS',
  coolDownSeconds: 'COOL_DOWN_SECONDS',
  privilegedApprovals: 'PRIVILEGED_APPROVALS',
  verificationChecklist: 'VERIFICATION_CHECKLIST',
  supportGroup: 'SUPPORT_GROUP',
  supportEmail: 'SUPPORT_EMAIL',
  staffClientId: 'STAFF_CLIENT_ID',
  enrollClientId: 'ENROLL_CLIENT_ID',
  productName: 'PRODUCT_NAME',
  appSignInUrl: 'APP_SIGN_IN_URL',
  supportUrl: 'SUPPORT_URL',
  supportContactEmail: 'SUPPORT_CONTACT_EMAIL',
  auditorGroup: 'AUDITOR_GROUP',
  mailboxUrl: 'LOCAL_MAILBOX_URL',
  defaultLanguage: 'DEFAULT_LANGUAGE',
  messageOverrides: 'MESSAGE_OVERRIDES',
  brandColours: 'BRAND_COLOURS',
  brandLogoFile: 'BRAND_LOGO_FILE',
  fromName: 'FROM_NAME',
  originVerify: 'ORIGIN_VERIFY',
};

export type Config<K extends SettingName> = Pick<Settings, K | BaseSetting>;

/**
 * Reads and validates the settings a function needs, once per environment (at cold start in Lambda,
 * shared/environment.ts). This is the only place that reads the environment's variables; a missing
 * or invalid value throws a ConfigError naming the variable.
 */
export function loadConfig<K extends SettingName>(
  needed: readonly K[],
  env: NodeJS.ProcessEnv = currentEnvironment(),
): Config<K> {
  const raw: Record<string, unknown> = {
    region: env.AWS_REGION,
    requestTimeoutMs: env.AWS_REQUEST_TIMEOUT_MS,
    eventBusName: env.EVENT_BUS_NAME,
    endpoints: {
      dynamodb: env.LOCAL_ENDPOINT_DYNAMODB,
      ses: env.LOCAL_ENDPOINT_SES,
      cognito: env.LOCAL_ENDPOINT_COGNITO,
      stepfunctions: env.LOCAL_ENDPOINT_STEPFUNCTIONS,
      eventbridge: env.LOCAL_ENDPOINT_EVENTBRIDGE,
      secretsmanager: env.LOCAL_ENDPOINT_SECRETSMANAGER,
      sns: env.LOCAL_ENDPOINT_SNS,
    },
  };
  const shape: Record<string, z.ZodType> = {
    region: settingsSchema.shape.region,
    requestTimeoutMs: settingsSchema.shape.requestTimeoutMs,
    eventBusName: settingsSchema.shape.eventBusName,
    endpoints: settingsSchema.shape.endpoints,
  };
  for (const name of needed) {
    raw[name] = env[environmentNames[name]];
    shape[name] = settingsSchema.shape[name];
  }
  const parsed = z.object(shape).safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]);
      const variable =
        key === 'region'
          ? 'AWS_REGION'
          : key === 'requestTimeoutMs'
            ? 'AWS_REQUEST_TIMEOUT_MS'
            : key === 'eventBusName'
              ? 'EVENT_BUS_NAME'
              : (environmentNames[key as SettingName] ?? key);
      const field = issue.path.length > 1 ? ` (${issue.path.slice(1).join('.')})` : '';
      return `${variable}${field}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const config = parsed.data as Config<K>;
  return config;
}

/**
 * How the functions observe themselves, read once per process. `localConsole`: the local stack keeps
 * what the functions print by capturing the global console (LOCAL_FUNCTION_LOGS=console). `tracing`:
 * X-Ray, on unless POWERTOOLS_TRACE_ENABLED=false (the local stack has no trace daemon). The
 * Powertools tools read their own POWERTOOLS_* and AWS_LAMBDA_LOG_LEVEL variables as documented.
 */
export function observabilitySettings(env: NodeJS.ProcessEnv = process.env) {
  return {
    localConsole: env.LOCAL_FUNCTION_LOGS === 'console',
    tracing: env.POWERTOOLS_TRACE_ENABLED !== 'false',
  };
}
