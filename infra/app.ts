import { Annotations, App, CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { AccountRecovery, type IUserPool, Mfa, UserPool, UserPoolGroup } from 'aws-cdk-lib/aws-cognito';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { buildWeb } from '../web/build';
import { type DeployConfig, propsFromConfig, readDeployConfig } from './deploy-config';
import { TotpRecovery } from './totp-recovery';

/** The context values `cdk deploy -c key=value` sets. */
export interface AppContext {
  readonly userPoolId?: string;
  /** Staff sign in to this pool instead of the user pool. */
  readonly staffUserPoolId?: string;
  readonly fromAddress: string;
  readonly supportEmail: string;
  readonly demo?: boolean;
  readonly createEmailIdentity?: boolean;
  /** Every alarm emails this address (through a topic the stack creates). */
  readonly alarmEmail?: string;
  /** Every alarm goes to this existing SNS topic (paging, chat). */
  readonly alarmTopicArn?: string;
  /** What a `-c config=` file sets beyond the above (timings, limits, risk policy, domain). */
  readonly config?: DeployConfig;
}

/** One stack: the construct next to an existing pool, or with `demo` its own pool (MFA required, TOTP). */
export class TotpRecoveryStack extends Stack {
  readonly recovery: TotpRecovery;

  constructor(scope: Construct, id: string, context: AppContext, props?: StackProps) {
    super(scope, id, props);
    let userPool: IUserPool;
    if (context.demo) {
      const pool = new UserPool(this, 'DemoPool', {
        mfa: Mfa.REQUIRED,
        mfaSecondFactor: { otp: true, sms: false },
        signInAliases: { username: true, email: true },
        autoVerify: { email: true },
        accountRecovery: AccountRecovery.EMAIL_ONLY,
        passwordPolicy: {
          minLength: 12,
          requireDigits: true,
          requireLowercase: true,
          requireUppercase: true,
          requireSymbols: true,
        },
      });
      for (const group of ['mfa-recovery-support', 'mfa-recovery-auditor', 'admins']) {
        new UserPoolGroup(this, `Group-${group}`, { userPool: pool, groupName: group });
      }
      Validations.of(pool).acknowledge({
        id: 'AwsSolutions::AwsSolutions-COG8',
        reason:
          'A demo pool to try the product; the Plus plan (threat protection) is the operator’s choice and not needed here.',
      });
      userPool = pool;
    } else {
      userPool = UserPool.fromUserPoolId(this, 'UserPool', context.userPoolId as string);
    }
    const staffUserPool = context.staffUserPoolId
      ? UserPool.fromUserPoolId(this, 'StaffUserPool', context.staffUserPoolId)
      : undefined;
    const alarmTopic = alarmTopicOf(this, context);
    const domain = context.config?.domain;
    this.recovery = new TotpRecovery(this, 'TotpRecovery', {
      ...(context.config ? propsFromConfig(context.config) : {}),
      ...(domain
        ? {
            domain: {
              domainName: domain.domainName,
              certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
            },
          }
        : {}),
      userPool,
      ...(staffUserPool ? { staffUserPool } : {}),
      fromAddress: context.fromAddress,
      supportEmail: context.supportEmail,
      ...(context.createEmailIdentity ? { createEmailIdentity: true } : {}),
      ...(alarmTopic ? { alarmTopic } : {}),
    });
    if (!alarmTopic) {
      Annotations.of(this).addWarningV2(
        'totp-recovery:no-alarm-action',
        'No -c alarmEmail=... or -c alarmTopicArn=... given: the alarms have no action, so no one will be told when a recovery fails.',
      );
    }
    new CfnOutput(this, 'Url', {
      value: this.recovery.url,
      description: 'Lost-device form (/), support console (/support), audit viewer (/audit)',
    });
    new CfnOutput(this, 'StateMachineArn', { value: this.recovery.stateMachine.stateMachineArn });
    new CfnOutput(this, 'StaffClientId', { value: this.recovery.staffClient.userPoolClientId });
    new CfnOutput(this, 'EnrollClientId', { value: this.recovery.enrollClient.userPoolClientId });
    new CfnOutput(this, 'AuditTable', { value: this.recovery.tables.audit.tableName });
    new CfnOutput(this, 'EventBus', { value: this.recovery.eventBus.eventBusName });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'StaffUserPoolId', { value: this.recovery.staffUserPool.userPoolId });
  }
}

/** The topic every alarm goes to: an existing one by ARN, or a new one that emails an address. */
function alarmTopicOf(scope: Construct, context: AppContext): ITopic | undefined {
  if (context.alarmTopicArn) return Topic.fromTopicArn(scope, 'AlarmTopic', context.alarmTopicArn);
  if (!context.alarmEmail) return undefined;
  const topic = new Topic(scope, 'AlarmTopic', {
    displayName: 'Lost-authenticator recovery alarms',
    enforceSSL: true,
  });
  topic.addSubscription(new EmailSubscription(context.alarmEmail));
  Validations.of(topic).acknowledge({
    id: 'AwsSolutions::AwsSolutions-SNS2',
    reason:
      'Alarm notifications carry alarm names and states only, never user data; a KMS key would also need a CloudWatch key policy.',
  });
  return topic;
}

/** Addresses used when none are given, so `cdk synth` works on a fresh clone; deploying with them sends no mail. */
const PLACEHOLDERS = { fromAddress: 'no-reply@example.com', supportEmail: 'support@example.com' };

/**
 * Reads the context. The stack deploys next to `-c userPoolId`, or brings its own demo pool only when
 * asked with `-c demo=true`: forgetting the pool id never quietly creates a new pool. Without
 * addresses it uses example.com placeholders and says so.
 */
export function readContext(app: App): AppContext & { readonly placeholders: string[] } {
  const configPath = app.node.tryGetContext('config') as string | undefined;
  const config = configPath ? readDeployConfig(configPath) : undefined;
  // A -c value wins over the file's.
  const fromFile: Record<string, string | undefined> = {
    userPoolId: config?.userPoolId,
    staffUserPoolId: config?.staffUserPoolId,
    demo: config?.demo === undefined ? undefined : String(config.demo),
    fromAddress: config?.fromAddress,
    supportEmail: config?.supportEmail,
    createEmailIdentity:
      config?.createEmailIdentity === undefined ? undefined : String(config.createEmailIdentity),
    alarmEmail: config?.alarmEmail,
    alarmTopicArn: config?.alarmTopicArn,
  };
  const value = (key: string) => (app.node.tryGetContext(key) as string | undefined) ?? fromFile[key];
  const userPoolId = value('userPoolId');
  const demo = String(value('demo')) === 'true';
  if (!userPoolId && !demo) {
    throw new Error(
      'No user pool given. Deploy next to your pool with -c userPoolId=<region_id>, or try the product with its own demo pool with -c demo=true.',
    );
  }
  const placeholders = (['fromAddress', 'supportEmail'] as const).filter((key) => !value(key));
  return {
    ...(userPoolId ? { userPoolId } : {}),
    ...(value('staffUserPoolId') ? { staffUserPoolId: value('staffUserPoolId') as string } : {}),
    fromAddress: value('fromAddress') ?? PLACEHOLDERS.fromAddress,
    supportEmail: value('supportEmail') ?? PLACEHOLDERS.supportEmail,
    demo,
    createEmailIdentity: String(value('createEmailIdentity')) === 'true',
    ...(value('alarmEmail') ? { alarmEmail: value('alarmEmail') as string } : {}),
    ...(value('alarmTopicArn') ? { alarmTopicArn: value('alarmTopicArn') as string } : {}),
    ...(config ? { config } : {}),
    placeholders,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildWeb();
  const app = new App();
  const context = readContext(app);
  const stack = new TotpRecoveryStack(
    app,
    String(app.node.tryGetContext('stackName') ?? 'TotpRecovery'),
    context,
    {
      env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    },
  );
  if (context.placeholders.length > 0) {
    Annotations.of(stack).addWarningV2(
      'totp-recovery:placeholder-addresses',
      `No ${context.placeholders.join(' or ')} given: using example.com, so no email would be delivered. Pass ${context.placeholders.map((key) => `-c ${key}=...`).join(' ')}.`,
    );
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
}
