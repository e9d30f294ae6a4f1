import {
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, inject, it } from 'vitest';
import { cliFor } from '../support/cli';
import { stackClients } from '../support/stack-clients';

const stack = inject('stack');

/** The table's verdict for one check. */
const verdictOf = (out: string, check: string) =>
  new RegExp(`^${check} +(PASS|WARN|FAIL) `, 'm').exec(out)?.[1];

describe('totp-recovery preflight', () => {
  it('passes every check against the local stack and exits 0', async () => {
    const run = await cliFor(stack)(['preflight']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    for (const check of [
      'user pool',
      'TOTP enabled',
      'MFA mode',
      'AdminDeleteSoftwareToken',
      'SES production access',
      'SES sending quota',
      'SES sending identity',
      'support group',
      'auditor group',
      'staff app client',
    ]) {
      expect(verdictOf(run.out, check), check).toBe('PASS');
    }
    expect(run.out).toMatch(/ON: every sign-in asks for the authenticator/);
    const json = JSON.parse((await cliFor(stack)(['--json', 'preflight'])).out) as {
      results: { verdict: string }[];
    };
    expect(json.results.every((result) => result.verdict === 'pass')).toBe(true);
  });

  it('fails a pool without TOTP, exits 1 and names the fix', async () => {
    const { cognito } = stackClients(stack);
    const created = await cognito.send(new CreateUserPoolCommand({ PoolName: 'no-totp' }));
    const poolId = created.UserPool?.Id as string;
    await cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        SoftwareTokenMfaConfiguration: { Enabled: false },
        MfaConfiguration: 'OFF',
      }),
    );
    const run = await cliFor({ ...stack, userPoolId: poolId })(['preflight']);
    expect(run.code).toBe(1);
    expect(verdictOf(run.out, 'TOTP enabled')).toBe('FAIL');
    expect(verdictOf(run.out, 'MFA mode')).toBe('FAIL');
    expect(run.out).toMatch(
      `fix: aws cognito-idp set-user-pool-mfa-config --region ${stack.region} --user-pool-id ${poolId} --software-token-mfa-configuration Enabled=true`,
    );
    expect(verdictOf(run.out, 'SES sending identity')).toBe('PASS');
    expect(run.err).toMatch(/2 check\(s\) failed/);
  });

  it('fails a from-address whose SES identity is not verified, and one that is no identity, naming the fix', async () => {
    const ses = new SESv2Client({
      endpoint: stack.endpoints.ses,
      region: stack.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'pending.example.net' }));
    const pending = await cliFor({ ...stack, fromAddress: 'help@pending.example.net' })(['preflight']);
    expect(pending.code).toBe(1);
    expect(verdictOf(pending.out, 'SES sending identity')).toBe('FAIL');
    expect(pending.out).toMatch(/not verified yet: pending\.example\.net \(PENDING\)/);
    expect(pending.out).toMatch(/fix: publish the DKIM records of pending\.example\.net/);

    const unknown = await cliFor({ ...stack, fromAddress: 'help@nowhere.example.org' })(['preflight']);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toMatch(
      /fix: aws sesv2 create-email-identity --region us-east-1 --email-identity nowhere\.example\.org/,
    );
    expect(verdictOf(unknown.out, 'TOTP enabled')).toBe('PASS');
  });

  it('answers usage errors with exit 2, naming what is missing', async () => {
    const cli = cliFor(stack);
    const partial = await cli(['--region', 'eu-west-1', 'preflight', '--user-pool-id', 'eu-west-1_Abc']);
    expect(partial.code).toBe(2);
    expect(partial.err).toMatch(/pass --from-address/);
    const bad = await cli([
      '--region',
      'eu-west-1',
      'preflight',
      '--user-pool-id',
      'eu-west-1_Abc',
      '--from-address',
      'not-an-address',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--from-address must be an email address/);
    expect((await cliFor(stack)(['preflight', '--nope'])).code).toBe(2);
  });
});
