import { describe, expect, it } from 'vitest';
import { authorizationsOf } from '../../local/iam/aws-calls';
import { type Bindings, checkCalls, isAllowed, resolveValue, wildcardMatch } from '../support/iam-policy';

const context = {
  region: 'us-east-1',
  accountId: '000000000000',
  stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:sm',
};
const bindings: Bindings = {
  refs: { Table: 'recoveries' },
  arns: { Table: 'arn:aws:dynamodb:us-east-1:000000000000:table/recoveries' },
  pseudo: { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '000000000000' },
  renames: { 'stateMachine:Deployed-sm': 'stateMachine:sm' },
};

describe('what IAM is asked for a recorded call', () => {
  it('splits a TransactWriteItems into one single-item action per item and table', () => {
    const asked = authorizationsOf(
      {
        method: 'POST',
        path: '/',
        target: 'DynamoDB_20120810.TransactWriteItems',
        body: JSON.stringify({
          TransactItems: [{ Put: { TableName: 'audit' } }, { Update: { TableName: 'recoveries' } }],
        }),
      },
      context,
    );
    expect(asked.checks).toEqual([
      { action: 'dynamodb:PutItem', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/audit' },
      { action: 'dynamodb:UpdateItem', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/recoveries' },
    ]);
  });

  it('asks for an index ARN on an index query, nothing for a token-authorised Cognito call, both identities for SES', () => {
    const query = authorizationsOf(
      {
        method: 'POST',
        path: '/',
        target: 'DynamoDB_20120810.Query',
        body: '{"TableName":"a","IndexName":"byDay"}',
      },
      context,
    );
    expect(query.checks[0]?.resource).toBe('arn:aws:dynamodb:us-east-1:000000000000:table/a/index/byDay');
    expect(
      authorizationsOf(
        { method: 'POST', path: '/', target: 'AWSCognitoIdentityProviderService.GetUser', body: '{}' },
        context,
      ).checks,
    ).toEqual([]);
    const mail = authorizationsOf(
      {
        method: 'POST',
        path: '/v2/email/outbound-emails',
        target: undefined,
        body: '{"FromEmailAddress":"A <a@b.example>"}',
      },
      context,
    );
    expect(mail.checks.map((check) => check.resource)).toEqual([
      'arn:aws:ses:us-east-1:000000000000:identity/a@b.example',
      'arn:aws:ses:us-east-1:000000000000:identity/b.example',
    ]);
    const token = authorizationsOf(
      { method: 'POST', path: '/', target: 'AWSStepFunctions.SendTaskSuccess', body: '{"taskToken":"t"}' },
      context,
    );
    expect(token.checks).toEqual([{ action: 'states:SendTaskSuccess', resource: context.stateMachineArn }]);
  });
});

describe('the policy evaluation', () => {
  it('resolves Ref, Fn::GetAtt, Fn::Join with pseudo parameters, and renames', () => {
    expect(resolveValue({ 'Fn::GetAtt': ['Table', 'Arn'] }, bindings)).toBe(bindings.arns.Table);
    expect(
      resolveValue(
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':states:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':stateMachine:Deployed-sm',
            ],
          ],
        },
        bindings,
      ),
    ).toBe(context.stateMachineArn);
    expect(() => resolveValue({ Ref: 'Nope' }, bindings)).toThrow(/no local binding for Ref Nope/);
  });

  it('matches actions case-insensitively with wildcards, resources exactly with wildcards, and lets a Deny win', () => {
    expect(wildcardMatch('dynamodb:Get*', 'DynamoDB:GetItem', true)).toBe(true);
    expect(
      wildcardMatch(
        'arn:aws:dynamodb:*:*:table/recoveries',
        'arn:aws:dynamodb:us-east-1:0:table/recoveries/index/x',
      ),
    ).toBe(false);
    const allow = { effect: 'Allow' as const, actions: ['dynamodb:*'], resources: ['*'], conditional: false };
    const deny = {
      effect: 'Deny' as const,
      actions: ['dynamodb:DeleteItem'],
      resources: ['*'],
      conditional: false,
    };
    expect(isAllowed([allow], 'dynamodb:DeleteItem', 'x')).toBe(true);
    expect(isAllowed([allow, deny], 'dynamodb:DeleteItem', 'x')).toBe(false);
    expect(isAllowed([{ ...allow, conditional: true }], 'dynamodb:GetItem', 'x')).toBe(false);
  });

  it('reports a denied call and an unused grant by principal', () => {
    const template = {
      Resources: {
        Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
        Role: { Type: 'AWS::IAM::Role', Properties: {} },
        Policy: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            Roles: [{ Ref: 'Role' }],
            PolicyDocument: {
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['dynamodb:GetItem', 'dynamodb:DeleteItem'],
                  Resource: { 'Fn::GetAtt': ['Table', 'Arn'] },
                },
              ],
            },
          },
        },
      },
    };
    const result = checkCalls({
      template,
      bindings,
      principals: { fn: 'Fn' },
      calls: [
        {
          principal: 'fn',
          operation: 'GetItem',
          action: 'dynamodb:GetItem',
          resource: bindings.arns.Table as string,
        },
        {
          principal: 'fn',
          operation: 'PutItem',
          action: 'dynamodb:PutItem',
          resource: bindings.arns.Table as string,
        },
      ],
      kept: [],
    });
    expect(result).toEqual({
      denied: [
        'fn: dynamodb:PutItem on arn:aws:dynamodb:us-east-1:000000000000:table/recoveries (PutItem) is not allowed',
      ],
      unused: ['fn: dynamodb:DeleteItem on arn:aws:dynamodb:us-east-1:000000000000:table/recoveries'],
      verified: 1,
    });
  });
});
