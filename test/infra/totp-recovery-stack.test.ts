import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes, functionCatalog } from '../../functions/catalog';
import { TotpRecoveryStack } from '../../infra/app';
import { BUSINESS_ALARMS } from '../../infra/observability';
import { definitionPath, loadDefinition, substitutionNames } from '../../statemachine/definition';
import { buildWeb } from '../../web/build';

type Resource = { Type: string; Properties: Record<string, unknown> };

let template: Template;
let resources: Record<string, Resource>;
let synthError: unknown;
const outdir = mkdtempSync(join(tmpdir(), 'totp-recovery-cdk-'));

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** Every IAM statement of the stack, with the logical id of its policy. */
function statements() {
  return ofType('AWS::IAM::Policy').flatMap(([id, policy]) =>
    ((policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement ?? []).map(
      (s) => ({
        policy: id,
        actions: [s.Action].flat() as string[],
        resources: [s.Resource].flat(),
        effect: s.Effect,
      }),
    ),
  );
}

const refersTo = (value: unknown, logicalIdPrefix: string) =>
  JSON.stringify(value).includes(`"${logicalIdPrefix}`);

beforeAll(async () => {
  await buildWeb();
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new TotpRecoveryStack(
    app,
    'Test',
    {
      userPoolId: 'eu-west-1_AbC123xyz',
      fromAddress: 'no-reply@recovery.example.com',
      supportEmail: 'support@example.com',
    },
    { env: { account: '111122223333', region: 'eu-west-1' } },
  );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
}, 180_000);

describe('the cdk-nag check itself', () => {
  it('reports a finding it was not told to accept (a wildcard Cognito grant)', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'totp-recovery-nag-')) });
    const stack = new Stack(app, 'Bad');
    new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(
      new PolicyStatement({ actions: ['cognito-idp:*'], resources: ['*'] }),
    );
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow();
  });
});

describe('the deployed stack', () => {
  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    expect(synthError).toBeUndefined();
  });

  it('runs every function of the catalog on Node.js 24, arm64, with active tracing', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(Object.keys(functionCatalog).length);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it('keeps class names in the bundles, so Step Functions can match errors by name', () => {
    const bundle = readFileSync(bundleOf('issue-code'), 'utf8');
    // keepNames: esbuild names each class in a static block, e.g. static{s(this,"TransientDependencyError")}.
    expect(/\w\(this,"TransientDependencyError"\)/.test(bundle)).toBe(true);
    expect(/\w\(this,"RecoveryError"\)/.test(bundle)).toBe(true);
  });

  it('deploys the definition file the local stack runs, with a substitution for every name in it', () => {
    const [, machine] = ofType('AWS::StepFunctions::StateMachine')[0] as [string, Resource];
    // Uploaded as an asset: the staged file is the definition file, byte for byte.
    const key = (machine.Properties.DefinitionS3Location as { Key: string }).Key;
    expect(readFileSync(join(outdir, `asset.${key}`), 'utf8')).toBe(readFileSync(definitionPath, 'utf8'));
    const substitutions = machine.Properties.DefinitionSubstitutions as Record<
      string,
      { 'Fn::GetAtt': [string, string] }
    >;
    expect(Object.keys(substitutions).sort()).toEqual(substitutionNames().sort());
    // What CloudFormation will run equals what the local stack runs, function for function.
    const deployed = loadDefinition(
      Object.fromEntries(Object.entries(substitutions).map(([k, v]) => [k, `arn:${v['Fn::GetAtt'][0]}`])),
    );
    const local = loadDefinition(
      Object.fromEntries(
        substitutionNames().map((name) => [name, `arn:${logicalIdOf(substitutions, name)}`]),
      ),
    );
    expect(JSON.parse(deployed)).toEqual(JSON.parse(local));
    for (const [name, spec] of Object.entries(functionCatalog)) {
      if ('substitution' in spec)
        expect(substitutions[spec.substitution]?.['Fn::GetAtt'][0]).toMatch(
          new RegExp(`Functions${name.replace(/-/g, '')}`),
        );
    }
  });

  it('logs the workflow without execution data, traces it, and encrypts it with a rotating customer key', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
      EncryptionConfiguration: { Type: 'CUSTOMER_MANAGED_KMS_KEY' },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('keeps both tables with point-in-time recovery and encryption; the audit table is retained and append-only', () => {
    const tables = ofType('AWS::DynamoDB::Table');
    expect(tables).toHaveLength(2);
    for (const [, table] of tables) {
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    }
    const [auditId, audit] = tables.find(([id]) => id.includes('Audit')) as [
      string,
      Resource & { DeletionPolicy?: string },
    ];
    expect(template.toJSON().Resources[auditId].DeletionPolicy).toBe('Retain');
    expect(audit.Properties.ResourcePolicy).toMatchObject({
      PolicyDocument: {
        Statement: [
          expect.objectContaining({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
          }),
        ],
      },
    });
    const recoveries = tables.find(([id]) => id.includes('Recoveries'))?.[1];
    expect(recoveries?.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
  });

  it('grants no UpdateItem, DeleteItem or BatchWriteItem on the audit table to anyone', () => {
    const [auditId] = ofType('AWS::DynamoDB::Table').find(([id]) => id.includes('Audit')) as [
      string,
      Resource,
    ];
    const onAudit = statements().filter((s) => refersTo(s.resources, auditId));
    expect(onAudit.length).toBeGreaterThan(0);
    for (const statement of onAudit) {
      expect(statement.actions).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/UpdateItem|DeleteItem|BatchWriteItem|dynamodb:\*/)]),
      );
    }
  });

  it('gives Cognito actions only by name, only on the pool, and AdminDeleteSoftwareToken only to remove-totp', () => {
    const cognito = statements().filter((s) => s.actions.some((a) => a.startsWith('cognito-idp:')));
    for (const statement of cognito) {
      expect(statement.actions.every((a) => !a.includes('*'))).toBe(true);
      expect(statement.resources).toEqual([
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_AbC123xyz',
            ],
          ],
        },
      ]);
    }
    const deleters = cognito.filter((s) => s.actions.includes('cognito-idp:AdminDeleteSoftwareToken'));
    expect(deleters.map((s) => s.policy)).toEqual([expect.stringMatching(/removetotp/)]);
  });

  it('uses no wildcard action anywhere, and no wildcard resource outside tracing, log delivery, texts to phone numbers and listing streams', () => {
    const all = statements();
    for (const statement of all) {
      expect(statement.actions.filter((a) => a.endsWith(':*') || a === '*')).toEqual([]);
      if (!statement.resources.includes('*')) continue;
      if (statement.actions.includes('sns:Publish')) {
        // A text to a phone number has no resource: the same policy denies every topic and endpoint.
        expect(statement.actions).toEqual(['sns:Publish']);
        expect(
          all.some(
            (other) =>
              other.policy === statement.policy &&
              other.effect === 'Deny' &&
              other.actions.includes('sns:Publish') &&
              JSON.stringify(other.resources).includes(':sns:*:*:*'),
          ),
          statement.policy,
        ).toBe(true);
      } else if (statement.actions.includes('dynamodb:ListStreams')) {
        // ListStreams takes no resource; the audit stream's event source mapping needs it.
        expect(statement.actions).toEqual(['dynamodb:ListStreams']);
        expect(statement.policy).toMatch(/publishauditevents/);
      } else {
        expect(statement.actions.every((a) => /^(xray|logs):/.test(a))).toBe(true);
      }
    }
  });

  it('puts the staff JWT authorizer on exactly the staff routes, and the user one on a user’s own routes', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(apiRoutes.map((r) => r.routeKey).sort());
    const authorizers = Object.fromEntries(
      ofType('AWS::ApiGatewayV2::Authorizer').map(([id, r]) => [id, String(r.Properties.Name)]),
    );
    for (const route of routes) {
      const spec = apiRoutes.find((r) => r.routeKey === route.RouteKey);
      expect(route.AuthorizationType ?? 'NONE', String(route.RouteKey)).toBe(
        spec?.auth === 'none' ? 'NONE' : 'JWT',
      );
      if (spec?.auth !== 'none') {
        const authorizer = authorizers[(route.AuthorizerId as { Ref: string }).Ref];
        expect(authorizer, String(route.RouteKey)).toBe(
          spec?.auth === 'cognito-jwt' ? 'StaffJwt' : 'UserJwt',
        );
      }
    }
    expect(apiRoutes.filter((r) => r.auth === 'user-jwt').map((r) => r.routeKey)).toEqual([
      'POST /recovery-codes',
      'GET /recovery-codes/status',
      'POST /authenticator-notices',
    ]);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      Name: 'StaffJwt',
      JwtConfiguration: Match.objectLike({
        Issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyz',
      }),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      Name: 'UserJwt',
      JwtConfiguration: Match.objectLike({
        Issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyz',
      }),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('creates the password-proof client with only ADMIN_USER_PASSWORD_AUTH and no secret', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: false,
    });
  });

  it('alarms on the business signals that need a person, never on function errors a retried throttle raises', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    for (const spec of BUSINESS_ALARMS) {
      const wanted = Object.entries({ service: 'cognito-totp-recovery', ...spec.dimensions })
        .map(([Name, Value]) => `${Name}=${Value}`)
        .sort();
      const found = alarms.find(
        (a) =>
          a.Namespace === 'CognitoTotpRecovery' &&
          a.MetricName === spec.metric &&
          JSON.stringify(
            ((a.Dimensions as { Name: string; Value: string }[] | undefined) ?? [])
              .map((d) => `${d.Name}=${d.Value}`)
              .sort(),
          ) === JSON.stringify(wanted),
      );
      expect(found, spec.id).toBeDefined();
    }
    const names = alarms.map((a) => `${a.Namespace}/${a.MetricName}`);
    for (const metric of [
      'AWS/States/ExecutionsFailed',
      'AWS/States/ExecutionsTimedOut',
      'AWS/ApiGateway/5xx',
      'AWS/SES/Reputation.BounceRate',
      'AWS/SES/Reputation.ComplaintRate',
      'AWS/SQS/ApproximateNumberOfMessagesVisible',
    ]) {
      expect(names).toContain(metric);
    }
    expect(names).not.toContain('AWS/Lambda/Errors');
  });

  it('builds a dashboard and the saved Logs Insights queries of the runbook', () => {
    const [[, dashboard]] = ofType('AWS::CloudWatch::Dashboard') as [[string, Resource]];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const metric of [
      'RequestsAccepted',
      'CodesSent',
      'CodesConfirmed',
      'Approvals',
      'TimeToComplete',
      'ApprovalWait',
      'Locks',
      'WrongCodes',
      'UnexpectedErrors',
    ]) {
      expect(body).toContain(metric);
    }
    const queries = ofType('AWS::Logs::QueryDefinition').map(([, q]) => q.Properties);
    expect(queries.map((q) => String(q.Name))).toEqual([
      expect.stringMatching(/one request by id$/),
      expect.stringMatching(/unexpected errors$/),
    ]);
    expect(String(queries[0]?.QueryString)).toContain('correlationId');
    expect((queries[0]?.LogGroupNames as unknown[] | undefined)?.length).toBe(
      Object.keys(functionCatalog).length,
    );
  });

  it('sends every failed, timed-out or stopped execution of the workflow to the reconciler, with a dead-letter queue', () => {
    const [[, rule]] = ofType('AWS::Events::Rule') as [[string, Resource]];
    const pattern = rule.Properties.EventPattern as Record<string, unknown>;
    expect(pattern).toMatchObject({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
    });
    expect(
      refersTo(
        (pattern.detail as Record<string, unknown>).stateMachineArn,
        'TotpRecoveryWorkflowStateMachine',
      ),
    ).toBe(true);
    const [target] = rule.Properties.Targets as Record<string, unknown>[];
    expect(refersTo(target?.Arn, 'TotpRecoveryFunctionsreconcilerecovery')).toBe(true);
    expect(target?.DeadLetterConfig).toBeDefined();
    expect(target?.RetryPolicy).toMatchObject({ MaximumEventAgeInSeconds: 86_400 });
  });

  it('publishes audit events from the audit table’s stream, off the request path: retried, bisected, dead-lettered and alarmed', () => {
    const [[auditId]] = ofType('AWS::DynamoDB::Table').filter(([id]) => /Audit/.test(id)) as [
      [string, Resource],
    ];
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
    const [[, mapping]] = ofType('AWS::Lambda::EventSourceMapping') as [[string, Resource]];
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [auditId, 'StreamArn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86_400,
    });
    expect(refersTo(mapping.Properties.FunctionName, 'TotpRecoveryFunctionspublishauditevents')).toBe(true);
    const destination = (mapping.Properties.DestinationConfig as { OnFailure: { Destination: unknown } })
      .OnFailure.Destination;
    expect(refersTo(destination, 'TotpRecoveryEventStreamDeadLetters')).toBe(true);
    const [[, queue]] = ofType('AWS::SQS::Queue').filter(([id]) =>
      id.startsWith('TotpRecoveryEventStreamDeadLetters'),
    ) as [[string, Resource]];
    expect(queue.Properties).toMatchObject({ MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true });
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(
      alarms.some(
        (a) =>
          a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          refersTo(a.Dimensions, 'TotpRecoveryEventStreamDeadLetters'),
      ),
    ).toBe(true);
    // Only the publisher puts events: no function on the request path does.
    const putters = statements().filter((s) => s.actions.includes('events:PutEvents'));
    expect(putters.map((s) => s.policy)).toEqual([expect.stringMatching(/publishauditevents/)]);
  });

  it('lets the API wake a waiting task up, and nothing more: no SendTaskFailure, no heartbeat', () => {
    const states = statements().filter((s) => s.actions.some((a) => a.startsWith('states:Send')));
    expect(states.length).toBeGreaterThan(0);
    expect(states.flatMap((s) => s.actions)).toEqual(states.map(() => 'states:SendTaskSuccess'));
  });

  it('keeps the pepper in a generated secret that only functions hashing codes or links read', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    });
    const readers = statements()
      .filter((s) => s.actions.includes('secretsmanager:GetSecretValue'))
      .map((s) => s.policy);
    expect(readers.length).toBeGreaterThan(0);
    expect(
      readers.every((id) => /issuecode|confirmrecovery|cancelrecovery|startrecovery|recoverycodes/.test(id)),
    ).toBe(true);
  });
});

function logicalIdOf(substitutions: Record<string, { 'Fn::GetAtt': [string, string] }>, name: string) {
  return substitutions[name]?.['Fn::GetAtt'][0];
}

/** The bundled index.mjs of one function, from the cloud assembly. */
function bundleOf(name: string): string {
  const [, fn] = Object.entries(
    template.toJSON().Resources as Record<string, Resource & { Metadata?: Record<string, string> }>,
  ).find(
    ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.includes(`Functions${name.replace(/-/g, '')}`),
  ) as [string, Resource & { Metadata?: Record<string, string> }];
  return join(outdir, fn.Metadata?.['aws:asset:path'] ?? '', 'index.mjs');
}
