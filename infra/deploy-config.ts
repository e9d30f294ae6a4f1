import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as z from 'zod';
import { brandSchema } from '../functions/domain/brand';
import type { TotpRecoveryProps } from './props';

const seconds = z.number().int().positive();

/**
 * The one file an operator writes to deploy (`-c config=path/to/recovery.json`): what they set in
 * practice, validated strictly (unknown fields refused). Every field is also a construct prop; the
 * limits themselves are checked by `resolveSettings` like the props are.
 */
export const deployConfigSchema = z.strictObject({
  userPoolId: z
    .string()
    .regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'must look like eu-west-1_AbC123xyz')
    .optional(),
  /** Staff sign in to this pool (it may federate to the company's SSO); the user pool when unset. */
  staffUserPoolId: z
    .string()
    .regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'must look like eu-west-1_AbC123xyz')
    .optional(),
  /** Your app clients whose users' access tokens may manage recovery codes. */
  appClientIds: z.array(z.string().min(1)).optional(),
  productName: z.string().trim().min(1).max(64).optional(),
  appSignInUrl: z.string().url().startsWith('https://').optional(),
  /** Logo, colours (WCAG AA checked), support contact, from-name, default language and message overrides. */
  brand: brandSchema.optional(),
  demo: z.boolean().optional(),
  fromAddress: z.string().email(),
  supportEmail: z.string().email(),
  createEmailIdentity: z.boolean().optional(),
  alarmEmail: z.string().email().optional(),
  alarmTopicArn: z.string().startsWith('arn:aws:sns:').optional(),
  riskPolicy: z.record(z.string(), z.unknown()).optional(),
  /** What support checks before deciding: checkboxes on each request, recorded with the decision. */
  verificationChecklist: z.array(z.string()).optional(),
  timings: z
    .strictObject({
      codeTtlSeconds: seconds.optional(),
      approvalTimeoutSeconds: seconds.optional(),
      coolDownSeconds: z.number().int().min(0).optional(),
    })
    .optional(),
  limits: z
    .strictObject({
      maxCodeAttempts: seconds.optional(),
      userRequestLimit: seconds.optional(),
      userRequestWindowSeconds: seconds.optional(),
      ipRequestLimit: seconds.optional(),
      ipRequestWindowSeconds: seconds.optional(),
      /** Requests per second by Cognito quota category (checked by resolveSettings). */
      cognitoBudget: z.record(z.string(), z.number()).optional(),
      privilegedApprovals: seconds.optional(),
      apiThrottle: z.strictObject({ rate: seconds, burst: seconds }).optional(),
    })
    .optional(),
  supportGroup: z.string().min(1).optional(),
  auditorGroup: z.string().min(1).optional(),
  domain: z
    .strictObject({ domainName: z.string().min(3), certificateArn: z.string().startsWith('arn:aws:acm:') })
    .optional(),
  /** CloudFront and AWS WAF in front of the API (see docs/deploy.md). */
  edge: z
    .strictObject({
      webAclArn: z.string().startsWith('arn:aws:wafv2:').optional(),
      rateLimit: z.number().int().min(10).optional(),
    })
    .optional(),
});

export type DeployConfig = z.infer<typeof deployConfigSchema>;

/** Reads and validates a deploy config file; every problem is named with its field. */
export function readDeployConfig(path: string): DeployConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`config ${path}: not readable JSON (${(error as Error).message})`);
  }
  const parsed = deployConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
    throw new Error(`config ${path}: ${problems.join('; ')}`);
  }
  // The logo's path is the config file's business: relative to the file, as people write it.
  const brand = parsed.data.brand;
  if (brand?.logo) parsed.data.brand = { ...brand, logo: resolve(dirname(path), brand.logo) };
  if (parsed.data.alarmEmail && parsed.data.alarmTopicArn) {
    throw new Error(`config ${path}: give alarmEmail or alarmTopicArn, not both`);
  }
  return parsed.data;
}

/** The construct props a config file sets (the pool, the topic and the certificate are resolved by the app). */
export function propsFromConfig(
  config: DeployConfig,
): Omit<TotpRecoveryProps, 'userPool' | 'staffUserPool' | 'alarmTopic' | 'domain'> {
  const duration = (value: number | undefined) => (value === undefined ? undefined : Duration.seconds(value));
  const entries = {
    fromAddress: config.fromAddress,
    supportEmail: config.supportEmail,
    createEmailIdentity: config.createEmailIdentity,
    codeTtl: duration(config.timings?.codeTtlSeconds),
    approvalTimeout: duration(config.timings?.approvalTimeoutSeconds),
    coolDown: duration(config.timings?.coolDownSeconds),
    maxCodeAttempts: config.limits?.maxCodeAttempts,
    userRequestLimit: config.limits?.userRequestLimit,
    userRequestWindow: duration(config.limits?.userRequestWindowSeconds),
    ipRequestLimit: config.limits?.ipRequestLimit,
    ipRequestWindow: duration(config.limits?.ipRequestWindowSeconds),
    cognitoBudget: config.limits?.cognitoBudget as TotpRecoveryProps['cognitoBudget'],
    privilegedApprovals: config.limits?.privilegedApprovals,
    apiThrottle: config.limits?.apiThrottle,
    riskPolicy: config.riskPolicy as TotpRecoveryProps['riskPolicy'],
    verificationChecklist: config.verificationChecklist,
    supportGroup: config.supportGroup,
    auditorGroup: config.auditorGroup,
    appClientIds: config.appClientIds,
    productName: config.productName,
    appSignInUrl: config.appSignInUrl,
    brand: config.brand,
    edge: config.edge,
  };
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as Omit<
    TotpRecoveryProps,
    'userPool' | 'alarmTopic' | 'domain'
  >;
}
