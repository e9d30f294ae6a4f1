import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/shared/config';

const env = {
  AWS_REGION: 'eu-west-1',
  RECOVERY_TABLE_NAME: 'recoveries',
  USER_POOL_ID: 'eu-west-1_AbC123xyz',
};

describe('reading configuration', () => {
  it('reads what a function needs and fills defaults', () => {
    const config = loadConfig(['recoveryTableName', 'codeTtlSeconds', 'riskPolicy'], env);
    expect(config).toMatchObject({
      region: 'eu-west-1',
      recoveryTableName: 'recoveries',
      codeTtlSeconds: 600,
      riskPolicy: { privilegedGroups: ['admins'], newAccountDays: 7, failedPasswordAttempts: 3 },
    });
  });

  it('reads the risk policy as JSON, keeps the defaults of unset rules, and names a bad field', () => {
    const policy = loadConfig(['riskPolicy'], {
      ...env,
      RISK_POLICY: '{"privilegedGroups":["root","ops"],"newAccountDays":0}',
    }).riskPolicy;
    expect(policy).toMatchObject({
      privilegedGroups: ['root', 'ops'],
      newAccountDays: 0,
      recentRecoveryDays: 30,
    });
    expect(() => loadConfig(['riskPolicy'], { ...env, RISK_POLICY: '{"newAccountDays":-1}' })).toThrow(
      /RISK_POLICY \(newAccountDays\): /,
    );
    expect(() => loadConfig(['riskPolicy'], { ...env, RISK_POLICY: '{"newAcountDays":1}' })).toThrow(
      /RISK_POLICY: .*newAcountDays/,
    );
    expect(() => loadConfig(['riskPolicy'], { ...env, RISK_POLICY: 'admins' })).toThrow(
      /RISK_POLICY: must be a JSON object/,
    );
  });

  it('fails at cold start naming the missing variable', () => {
    expect(() => loadConfig(['auditTableName'], env)).toThrow(/AUDIT_TABLE_NAME/);
  });

  it('rejects an invalid value with what to change', () => {
    expect(() => loadConfig(['userPoolId'], { ...env, USER_POOL_ID: 'not a pool' })).toThrow(
      /USER_POOL_ID: must look like/,
    );
    expect(() => loadConfig(['codeTtlSeconds'], { ...env, CODE_TTL_SECONDS: '-5' })).toThrow(
      /CODE_TTL_SECONDS/,
    );
  });

  it('bounds request limits, which are stored as one slot per request', () => {
    expect(() => loadConfig(['ipRequestLimit'], { ...env, IP_REQUEST_LIMIT: '1001' })).toThrow(
      /IP_REQUEST_LIMIT/,
    );
    expect(loadConfig(['ipRequestLimit'], { ...env, IP_REQUEST_LIMIT: '1000' }).ipRequestLimit).toBe(1000);
  });

  it('reads the Cognito budget as JSON, 20 % of the default quotas for unset categories, and names a bad one', () => {
    expect(
      loadConfig(['cognitoBudget'], { ...env, COGNITO_BUDGET: '{"UserAuthentication":60}' }).cognitoBudget,
    ).toEqual({
      UserAuthentication: 60,
      UserRead: 24,
      UserList: 6,
      UserResourceRead: 10,
      UserUpdate: 5,
      UserResourceUpdate: 5,
      UserPoolRead: 3,
    });
    expect(() => loadConfig(['cognitoBudget'], { ...env, COGNITO_BUDGET: '{"UserRead":1001}' })).toThrow(
      /COGNITO_BUDGET \(UserRead\): /,
    );
    expect(() => loadConfig(['cognitoBudget'], { ...env, COGNITO_BUDGET: '{"UserWrite":5}' })).toThrow(
      /COGNITO_BUDGET: .*UserWrite/,
    );
  });

  it('requires the pepper secret for functions that hash codes, and keeps it 300 s by default', () => {
    expect(() => loadConfig(['pepperSecretArn', 'pepperMaxAgeSeconds'], env)).toThrow(/PEPPER_SECRET_ARN/);
    const arn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:pepper-AbCdEf';
    expect(
      loadConfig(['pepperSecretArn', 'pepperMaxAgeSeconds'], { ...env, PEPPER_SECRET_ARN: arn }),
    ).toMatchObject({
      pepperSecretArn: arn,
      pepperMaxAgeSeconds: 300,
    });
  });

  it('names a missing region', () => {
    expect(() => loadConfig([], {})).toThrow(/AWS_REGION/);
  });
});
