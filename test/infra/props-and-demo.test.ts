import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { readContext, TotpRecoveryStack } from '../../infra/app';
import { resolveSettings, type TotpRecoveryProps } from '../../infra/props';
import { buildWeb } from '../../web/build';

const base = (): TotpRecoveryProps => ({
  userPool: UserPool.fromUserPoolId(new Stack(), 'Pool', 'eu-west-1_AbC123xyz'),
  fromAddress: 'no-reply@example.com',
  supportEmail: 'support@example.com',
});

describe('the construct’s props', () => {
  it('default to the product’s documented settings', () => {
    expect(resolveSettings(base())).toMatchObject({
      codeTtlSeconds: 600,
      maxCodeAttempts: 5,
      userRequestLimit: 3,
      ipRequestLimit: 20,
      approvalTimeoutSeconds: 72 * 3600,
      coolDownSeconds: 0,
      privilegedApprovals: 2,
      riskPolicyJson: '{}',
      // The functions fill in 20 % of each default quota (test/unit/config.test.ts).
      cognitoBudgetJson: '{}',
    });
  });

  it.each([
    [{ fromAddress: 'not-an-address' }, /fromAddress must be an email address/],
    [{ codeTtl: Duration.hours(2) }, /codeTtl must be a whole number of seconds \(1 to 60 minutes\)/],
    [{ approvalTimeout: Duration.days(30) }, /approvalTimeout .* \(5 minutes to 7 days\)/],
    [{ privilegedApprovals: 0 }, /privilegedApprovals must be/],
    [{ supportGroup: 'auditors', auditorGroup: 'auditors' }, /supportGroup and auditorGroup must differ/],
    [{ riskPolicy: { newAccountDays: -1 } }, /riskPolicy.newAccountDays: /],
    [{ cognitoBudget: { UserAuthentication: 1001 } }, /cognitoBudget.UserAuthentication: .*1 to 1000/],
    [{ cognitoBudget: { UserWrite: 5 } }, /cognitoBudget: .*UserWrite/],
    [{ verificationChecklist: ['Called back', 'Called back'] }, /verificationChecklist: items must differ/],
    [{ verificationChecklist: [''] }, /verificationChecklist\[0\]: .*1 to 200 characters/],
    [
      { verificationChecklist: Array.from({ length: 10 }, (_, i) => `${i} ${'x'.repeat(150)}`) },
      /verificationChecklist takes \d+ bytes as JSON; keep it under 1024 bytes/,
    ],
  ])('refuses %j at synth time, saying what to change', (override, message) => {
    expect(() => resolveSettings({ ...base(), ...override } as TotpRecoveryProps)).toThrow(message);
  });

  it('reports every problem at once', () => {
    expect(() =>
      resolveSettings({ ...base(), fromAddress: 'x', supportEmail: 'y', maxCodeAttempts: 0 }),
    ).toThrow(/fromAddress.*; supportEmail.*; maxCodeAttempts/);
  });
});

describe('the app', () => {
  it('refuses to synthesize without -c userPoolId unless -c demo=true, naming both', () => {
    expect(() => readContext(new App())).toThrow(/-c userPoolId=.*-c demo=true/);
  });

  it('brings its own demo pool (MFA required, TOTP only) with -c demo=true, with placeholder addresses named', async () => {
    await buildWeb();
    const app = new App({
      outdir: mkdtempSync(join(tmpdir(), 'totp-recovery-demo-')),
      context: { demo: 'true' },
    });
    const context = readContext(app);
    expect(context).toMatchObject({ demo: true, placeholders: ['fromAddress', 'supportEmail'] });
    const stack = new TotpRecoveryStack(app, 'Demo', context, {
      env: { account: '111122223333', region: 'eu-west-1' },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map(
      (group) => (group as { Properties: { GroupName: string } }).Properties.GroupName,
    );
    expect(groups.sort()).toEqual(['admins', 'mfa-recovery-auditor', 'mfa-recovery-support']);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('no one will be told'));
  }, 180_000);

  it('synthesizes from the documented -c config file: its timings, limits, risk policy, domain and alarm email', () => {
    const app = new App({
      context: {
        'aws:cdk:bundling-stacks': [],
        config: join(import.meta.dirname, '..', '..', 'infra', 'recovery.example.json'),
      },
    });
    const stack = new TotpRecoveryStack(app, 'Configured', readContext(app), {
      env: { account: '111122223333', region: 'eu-west-1' },
    });
    const template = Template.fromStack(stack);
    const environment = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (fn) =>
        (fn as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment
          .Variables,
    )[0];
    expect(environment).toMatchObject({
      CODE_TTL_SECONDS: '600',
      APPROVAL_TIMEOUT_SECONDS: '172800',
      COOL_DOWN_SECONDS: '3600',
      USER_POOL_ID: 'eu-west-1_AbC123xyz',
    });
    expect(JSON.parse(String(environment?.RISK_POLICY))).toMatchObject({
      privilegedGroups: ['admins', 'finance'],
    });
    expect(JSON.parse(String(environment?.COGNITO_BUDGET))).toEqual({ UserAuthentication: 30 });
    expect(JSON.parse(String(environment?.VERIFICATION_CHECKLIST))).toEqual([
      'Called the user back on the phone number in our HR system',
      'Checked the employee ID with their manager',
    ]);
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'recovery.example.com' });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
  });

  it('with -c staffUserPoolId, puts the staff client, the authorizer and the live staff checks in the staff pool, and nothing of staff in the user pool', () => {
    const app = new App({
      context: {
        'aws:cdk:bundling-stacks': [],
        userPoolId: 'eu-west-1_Customers1',
        staffUserPoolId: 'eu-west-1_StaffSso1',
      },
    });
    const stack = new TotpRecoveryStack(app, 'StaffPool', readContext(app), {
      env: { account: '111122223333', region: 'eu-west-1' },
    });
    const template = Template.fromStack(stack);
    const clients = Object.entries(template.findResources('AWS::Cognito::UserPoolClient')) as [
      string,
      { Properties: { UserPoolId: string } },
    ][];
    const staffClient = clients.find(([id]) => id.includes('StaffClient'))?.[1] as {
      Properties: { UserPoolId: string };
    };
    // The enrolment client is the customers': it stays in the user pool.
    expect(clients.find(([id]) => id.includes('EnrollClient'))?.[1].Properties.UserPoolId).toBe(
      'eu-west-1_Customers1',
    );
    expect(staffClient.Properties.UserPoolId).toBe('eu-west-1_StaffSso1');
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: Match.objectLike({
        Issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_StaffSso1',
      }),
    });
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    // Only the live staff checks read the staff pool: AdminGetUser and AdminListGroupsForUser.
    const staffStatements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (
        policy as {
          Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } };
        }
      ).Properties.PolicyDocument.Statement.filter((statement) =>
        JSON.stringify(statement.Resource).includes('userpool/eu-west-1_StaffSso1'),
      ),
    );
    expect(staffStatements.map((statement) => [statement.Action].flat().sort())).toEqual([
      ['cognito-idp:AdminGetUser', 'cognito-idp:AdminListGroupsForUser'],
    ]);
    expect(policies).toContain('userpool/eu-west-1_Customers1');
    const variables = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (fn) =>
        (fn as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment
          .Variables,
    );
    expect(
      variables.every(
        (v) => v.STAFF_USER_POOL_ID === 'eu-west-1_StaffSso1' && v.USER_POOL_ID === 'eu-west-1_Customers1',
      ),
    ).toBe(true);
    template.hasOutput('StaffUserPoolId', { Value: 'eu-west-1_StaffSso1' });
  });

  it('refuses a config file with an unknown field or a bad value, naming each', () => {
    const dir = mkdtempSync(join(tmpdir(), 'totp-recovery-config-'));
    const path = join(dir, 'recovery.json');
    writeFileSync(
      path,
      JSON.stringify({
        fromAddress: 'not-an-address',
        supportEmail: 'support@example.com',
        timings: { codeTTL: 60 },
      }),
    );
    expect(() => readContext(new App({ context: { config: path } }))).toThrow(
      /fromAddress: .*; timings: .*codeTTL/,
    );
  });

  it('wires every alarm to a topic that emails -c alarmEmail, and says nothing is wrong then', () => {
    // No bundling: this test reads the alarms only.
    const app = new App({
      context: {
        'aws:cdk:bundling-stacks': [],
        alarmEmail: 'oncall@example.com',
        userPoolId: 'eu-west-1_AbC123xyz',
      },
    });
    const stack = new TotpRecoveryStack(app, 'Alarmed', readContext(app), {
      env: { account: '111122223333', region: 'eu-west-1' },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: { AlarmActions?: unknown[] };
    }[];
    expect(alarms.length).toBeGreaterThan(10);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
    expect(
      Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('no one will be told')),
    ).toEqual([]);
  });
});

describe('the brand and the edge', () => {
  const logo = join(import.meta.dirname, '..', '..', 'local', 'brand', 'example-logo.svg');
  const synth = (config: Record<string, unknown>, region = 'us-east-1', nag = false) => {
    const dir = mkdtempSync(join(tmpdir(), 'totp-recovery-brand-'));
    const file = join(dir, 'recovery.json');
    writeFileSync(
      file,
      JSON.stringify({
        userPoolId: 'us-east-1_AbC123xyz',
        fromAddress: 'no-reply@example.com',
        supportEmail: 'support@example.com',
        ...config,
      }),
    );
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], config: file } });
    const stack = new TotpRecoveryStack(app, 'Branded', readContext(app), {
      env: { account: '111122223333', region },
    });
    if (nag) {
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      app.synth();
    }
    return Template.fromStack(stack);
  };
  const environmentOf = (template: Template) =>
    Object.values(template.findResources('AWS::Lambda::Function')).map(
      (fn) =>
        (fn as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment
          .Variables,
    );

  it('refuses at synth a brand colour below WCAG AA contrast, naming the pair and the ratio', () => {
    expect(() =>
      resolveSettings({ ...base(), brand: { primaryColour: '#7fb3ff', accentColour: '#1d6b35' } }),
    ).toThrow(/brand: primaryColour #7fb3ff on #ffffff has contrast 2\.\d\d:1; WCAG AA needs 4\.5:1/);
    expect(() => resolveSettings({ ...base(), brand: { accentColour: '#eeeeee' } })).toThrow(
      /accentColour #eeeeee/,
    );
    expect(() => resolveSettings({ ...base(), brand: { logo: '/no/such/logo.svg' } })).toThrow(
      /brand.logo \/no\/such\/logo.svg: no such file/,
    );
    expect(() =>
      resolveSettings({ ...base(), brand: { messages: { de: { 'request.submit': 'Los {x}' } } } }),
    ).toThrow(/messages.de.request.submit: uses \{x\}/);
  });

  it('gives every function the brand, its languages and the logo inside the bundle', () => {
    const template = synth({
      brand: {
        productName: 'Acme ID',
        logo,
        primaryColour: '#6b2fa0',
        defaultLanguage: 'de',
        fromName: 'Acme Sicherheit',
        messages: { de: { 'request.submit': 'Code anfordern' } },
      },
    });
    for (const environment of environmentOf(template)) {
      expect(environment).toMatchObject({
        PRODUCT_NAME: 'Acme ID',
        DEFAULT_LANGUAGE: 'de',
        FROM_NAME: 'Acme Sicherheit',
        BRAND_COLOURS: '{"primary":"#6b2fa0"}',
        MESSAGE_OVERRIDES: '{"de":{"request.submit":"Code anfordern"}}',
        BRAND_LOGO_FILE: '/var/task/brand-logo.svg',
      });
    }
  }, 60_000);

  it('puts CloudFront and AWS WAF (rate rule, common and bot rule groups) in front, and the functions refuse what bypasses them', () => {
    // cdk-nag AwsSolutions passes with the edge too (every accepted finding has its reason).
    const template = synth({ edge: { rateLimit: 200 } }, 'us-east-1', true);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      Rules: [
        Match.objectLike({ Statement: { RateBasedStatement: { Limit: 200, AggregateKeyType: 'IP' } } }),
        Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet' }),
        Match.objectLike({ Name: 'AWSManagedRulesBotControlRuleSet' }),
      ],
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: Match.anyValue() }),
    });
    // Never the Host header (API Gateway refuses another name); the client's address from CloudFront.
    template.hasResourceProperties('AWS::CloudFront::OriginRequestPolicy', {
      OriginRequestPolicyConfig: Match.objectLike({
        HeadersConfig: {
          HeaderBehavior: 'whitelist',
          Headers: Match.arrayWith(['User-Agent', 'CloudFront-Viewer-Address']),
        },
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        DefaultTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] },
        }),
      }),
    });
    for (const environment of environmentOf(template)) {
      expect(JSON.stringify(environment.ORIGIN_VERIFY)).toContain('resolve:secretsmanager');
    }
    expect(() => synth({ edge: {} }, 'eu-west-1')).toThrow(
      /web ACL can only be made in us-east-1.*edge.webAclArn/,
    );
  });
});
