import { randomUUID } from 'node:crypto';
import {
  AdminDeleteSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetGroupCommand,
  GetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { Command } from 'commander';
import { CliError } from './errors';
import { type CliIo, table } from './output';
import { LOCAL_CREDENTIALS, readLocalStack } from './target';

export type Verdict = 'pass' | 'warn' | 'fail';

/** One line of the preflight: what was checked, the verdict, what was found and, unless it passed, the fix. */
export interface PreflightResult {
  readonly check: string;
  readonly verdict: Verdict;
  readonly detail: string;
  readonly fix?: string;
}

/** What the preflight looks at: the operator's pool (and staff pool), the sending address, the groups. */
export interface PreflightTarget {
  readonly region: string;
  readonly userPoolId: string;
  /** Where staff sign in; the user pool unless they have their own. */
  readonly staffUserPoolId: string;
  readonly fromAddress: string;
  readonly supportGroup: string;
  readonly auditorGroup: string;
  /** The staff app client, when it exists already (the stack creates one otherwise). */
  readonly staffClientId?: string;
}

export interface PreflightClients {
  readonly cognito: Pick<CognitoIdentityProviderClient, 'send'>;
  readonly ses: Pick<SESv2Client, 'send'>;
}

const nameOf = (error: unknown) => (error instanceof Error ? error.name : 'Error');
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const denied = (error: unknown) => /AccessDenied|NotAuthorized|UnrecognizedClient/.test(nameOf(error));

/** A failure the caller's own credentials caused, said as such (not as a finding about the account). */
const callerCannot = (check: string, action: string, error: unknown): PreflightResult => ({
  check,
  verdict: 'fail',
  detail: `could not check: ${nameOf(error)} (${messageOf(error)})`,
  fix: denied(error)
    ? `run the preflight with credentials allowed ${action}`
    : 'check the region and credentials, then run the preflight again',
});

/**
 * Everything a deployment needs from the account that the template cannot create: each check
 * answers on its own, so one failure never hides the others.
 */
export async function runPreflight(
  target: PreflightTarget,
  clients: PreflightClients,
): Promise<PreflightResult[]> {
  const results: PreflightResult[] = [];
  const { cognito, ses } = clients;
  const pool = target.userPoolId;

  let poolExists = false;
  try {
    const described = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool }));
    poolExists = true;
    results.push({
      check: 'user pool',
      verdict: 'pass',
      detail: `${pool} (${described.UserPool?.Name ?? 'unnamed'})`,
    });
  } catch (error) {
    results.push(
      nameOf(error) === 'ResourceNotFoundException'
        ? {
            check: 'user pool',
            verdict: 'fail',
            detail: `no user pool ${pool} in ${target.region}`,
            fix: 'pass the pool id the product is to serve, and its region (--region)',
          }
        : callerCannot('user pool', 'cognito-idp:DescribeUserPool', error),
    );
  }

  let mfaMode: string | undefined;
  if (poolExists) {
    try {
      const mfa = await cognito.send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool }));
      mfaMode = mfa.MfaConfiguration ?? 'OFF';
      const totp = mfa.SoftwareTokenMfaConfiguration?.Enabled === true;
      results.push(
        totp
          ? {
              check: 'TOTP enabled',
              verdict: 'pass',
              detail: 'authenticator apps are an MFA method of the pool',
            }
          : {
              check: 'TOTP enabled',
              verdict: 'fail',
              detail: 'the pool does not offer authenticator apps (TOTP): there is nothing to recover',
              fix: `aws cognito-idp set-user-pool-mfa-config --region ${target.region} --user-pool-id ${pool} --software-token-mfa-configuration Enabled=true --mfa-configuration ${mfaMode === 'OFF' ? 'OPTIONAL' : mfaMode}`,
            },
      );
      results.push(mfaModeResult(mfaMode, target, pool));
    } catch (error) {
      results.push(callerCannot('TOTP enabled', 'cognito-idp:GetUserPoolMfaConfig', error));
    }
  }

  results.push(await probeDeleteSoftwareToken(cognito, target, poolExists ? mfaMode : undefined));
  results.push(...(await checkSes(ses, target)));

  for (const [role, group] of [
    ['support', target.supportGroup],
    ['auditor', target.auditorGroup],
  ] as const) {
    const check = `${role} group`;
    try {
      await cognito.send(new GetGroupCommand({ UserPoolId: target.staffUserPoolId, GroupName: group }));
      results.push({ check, verdict: 'pass', detail: `${group} in ${target.staffUserPoolId}` });
    } catch (error) {
      results.push(
        nameOf(error) === 'ResourceNotFoundException'
          ? {
              check,
              verdict: 'fail',
              detail: `no group ${group} in ${target.staffUserPoolId}: nobody could ${role === 'support' ? 'approve requests' : 'read the audit trail'}`,
              fix: `aws cognito-idp create-group --region ${target.region} --user-pool-id ${target.staffUserPoolId} --group-name ${group}, then add the staff to it`,
            }
          : callerCannot(check, 'cognito-idp:GetGroup', error),
      );
    }
  }

  results.push(await checkStaffClient(cognito, target));
  return results;
}

function mfaModeResult(mode: string, target: PreflightTarget, pool: string): PreflightResult {
  if (mode === 'ON') {
    return {
      check: 'MFA mode',
      verdict: 'pass',
      detail:
        'ON: every sign-in asks for the authenticator; after a recovery the user enrols a new one at their next sign-in',
    };
  }
  if (mode === 'OPTIONAL') {
    return {
      check: 'MFA mode',
      verdict: 'pass',
      detail:
        'OPTIONAL: users who enrolled are asked for it; after a recovery the user signs in with the password alone until they enrol again',
    };
  }
  return {
    check: 'MFA mode',
    verdict: 'fail',
    detail: 'OFF: no sign-in asks for an authenticator, so there is nothing for the product to recover',
    fix: `aws cognito-idp set-user-pool-mfa-config --region ${target.region} --user-pool-id ${pool} --software-token-mfa-configuration Enabled=true --mfa-configuration ON (or OPTIONAL)`,
  };
}

/**
 * AdminDeleteSoftwareToken for a user that cannot exist: "user not found" proves the operation is
 * there (and nothing changes); "unknown operation" proves the region lacks it.
 */
async function probeDeleteSoftwareToken(
  cognito: PreflightClients['cognito'],
  target: PreflightTarget,
  mfaMode: string | undefined,
): Promise<PreflightResult> {
  const check = 'AdminDeleteSoftwareToken';
  try {
    await cognito.send(
      new AdminDeleteSoftwareTokenCommand({
        UserPoolId: target.userPoolId,
        Username: `totp-recovery-preflight-${randomUUID()}`,
      }),
    );
    return { check, verdict: 'pass', detail: 'available (the probe user cannot exist; nothing changed)' };
  } catch (error) {
    const name = nameOf(error);
    if (name === 'UserNotFoundException') {
      return {
        check,
        verdict: 'pass',
        detail: `available in ${target.region} (probed with a user that cannot exist)`,
      };
    }
    if (name === 'ResourceNotFoundException') {
      return {
        check,
        verdict: 'fail',
        detail: 'the pool was not found, so the operation could not be probed',
        fix: 'fix the user pool first',
      };
    }
    if (name === 'UnknownOperationException' || name === 'InvalidAction') {
      return mfaMode === 'OPTIONAL'
        ? {
            check,
            verdict: 'warn',
            detail: `not available in ${target.region}: recoveries fall back to AdminSetUserMFAPreference, which stops asking for the authenticator but leaves it registered`,
            fix: 'deploy in a region with AdminDeleteSoftwareToken to remove the factor itself',
          }
        : {
            check,
            verdict: 'fail',
            detail: `not available in ${target.region}: in an MFA-required pool no recovery could remove the authenticator (each would end FAILED, TOTP_RESET_UNSUPPORTED)`,
            fix: 'deploy the product, with the pool, in a region that has AdminDeleteSoftwareToken',
          };
    }
    return callerCannot(check, 'cognito-idp:AdminDeleteSoftwareToken', error);
  }
}

async function checkSes(ses: PreflightClients['ses'], target: PreflightTarget): Promise<PreflightResult[]> {
  const results: PreflightResult[] = [];
  try {
    const account = await ses.send(new GetAccountCommand({}));
    results.push(
      account.ProductionAccessEnabled
        ? {
            check: 'SES production access',
            verdict: 'pass',
            detail: 'out of the sandbox: mail reaches any address',
          }
        : {
            check: 'SES production access',
            verdict: 'fail',
            detail:
              'the account is in the SES sandbox: codes reach only verified addresses, so users would get no email',
            fix: `request production access: aws sesv2 put-account-details --region ${target.region} --production-access-enabled --mail-type TRANSACTIONAL --website-url <url> --use-case-description <text>`,
          },
    );
    if (account.SendingEnabled === false) {
      results.push({
        check: 'SES sending',
        verdict: 'fail',
        detail: `sending is paused for the account (enforcement: ${account.EnforcementStatus ?? 'unknown'})`,
        fix: 'see the SES console’s reputation page, then aws sesv2 put-account-sending-attributes --sending-enabled',
      });
    }
    const quota = account.SendQuota;
    const max = quota?.Max24HourSend ?? 0;
    const used = quota?.SentLast24Hours ?? 0;
    const detail = `${used} of ${max} emails in the last 24 hours, at most ${quota?.MaxSendRate ?? 0} per second`;
    results.push(
      max > 0 && used / max < 0.8
        ? { check: 'SES sending quota', verdict: 'pass', detail }
        : {
            check: 'SES sending quota',
            verdict: 'warn',
            detail: `${detail}: little is left for recovery emails`,
            fix: 'ask for a higher sending quota (Service Quotas, SES "Sending quota")',
          },
    );
  } catch (error) {
    results.push(callerCannot('SES production access', 'ses:GetAccount', error));
  }
  results.push(await checkIdentity(ses, target));
  return results;
}

/** The from-address is sendable when it, or its domain, is a verified identity. */
async function checkIdentity(
  ses: PreflightClients['ses'],
  target: PreflightTarget,
): Promise<PreflightResult> {
  const check = 'SES sending identity';
  const domain = target.fromAddress.split('@')[1] ?? '';
  const pending: string[] = [];
  for (const identity of [target.fromAddress, domain]) {
    try {
      const found = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
      if (found.VerifiedForSendingStatus) {
        return { check, verdict: 'pass', detail: `${identity} is verified for sending` };
      }
      pending.push(`${identity} (${found.VerificationStatus ?? 'not verified'})`);
    } catch (error) {
      if (nameOf(error) !== 'NotFoundException') return callerCannot(check, 'ses:GetEmailIdentity', error);
    }
  }
  return {
    check,
    verdict: 'fail',
    detail:
      pending.length > 0
        ? `not verified yet: ${pending.join(', ')}`
        : `neither ${target.fromAddress} nor ${domain} is an SES identity in ${target.region}`,
    fix:
      pending.length > 0
        ? `publish the DKIM records of ${domain} (aws sesv2 get-email-identity --email-identity ${domain}) and wait for SUCCESS`
        : `aws sesv2 create-email-identity --region ${target.region} --email-identity ${domain}, then publish its DKIM records (or deploy with -c createEmailIdentity=true)`,
  };
}

/** The consoles and the CLI sign staff in from the browser with USER_PASSWORD_AUTH: no client secret. */
async function checkStaffClient(
  cognito: PreflightClients['cognito'],
  target: PreflightTarget,
): Promise<PreflightResult> {
  const check = 'staff app client';
  if (!target.staffClientId) {
    return {
      check,
      verdict: 'pass',
      detail:
        'the stack creates it (USER_PASSWORD_AUTH, no secret); pass --staff-client-id to check one after deploying',
    };
  }
  try {
    const described = await cognito.send(
      new DescribeUserPoolClientCommand({
        UserPoolId: target.staffUserPoolId,
        ClientId: target.staffClientId,
      }),
    );
    const client = described.UserPoolClient;
    const flows = client?.ExplicitAuthFlows ?? [];
    const problems = [
      !flows.includes('ALLOW_USER_PASSWORD_AUTH') && 'USER_PASSWORD_AUTH is not allowed',
      client?.ClientSecret && 'it has a client secret, which a browser cannot keep',
    ].filter(Boolean);
    if (problems.length === 0) {
      return { check, verdict: 'pass', detail: `${target.staffClientId}: ${flows.join(', ')}` };
    }
    return {
      check,
      verdict: 'fail',
      detail: `${target.staffClientId}: ${problems.join('; ')}; the support console, audit viewer and CLI sign in with USER_PASSWORD_AUTH`,
      fix: `aws cognito-idp update-user-pool-client --region ${target.region} --user-pool-id ${target.staffUserPoolId} --client-id ${target.staffClientId} --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH (a client with a secret must be replaced)`,
    };
  } catch (error) {
    if (nameOf(error) === 'ResourceNotFoundException') {
      return {
        check,
        verdict: 'fail',
        detail: `no app client ${target.staffClientId} in ${target.staffUserPoolId}`,
        fix: 'pass the StaffClientId output of the stack',
      };
    }
    return callerCannot(check, 'cognito-idp:DescribeUserPoolClient', error);
  }
}

interface PreflightOptions {
  readonly userPoolId?: string;
  readonly staffUserPoolId?: string;
  readonly fromAddress?: string;
  readonly staffClientId?: string;
  readonly supportGroup: string;
  readonly auditorGroup: string;
}

/** `totp-recovery preflight`: the table, and exit 0 when nothing fails, 1 when something does. */
export function registerPreflightCommand(program: Command, io: CliIo): void {
  program
    .command('preflight')
    .description(
      'check an account before `cdk deploy` (with --region, --user-pool-id, --from-address) or the local stack (no options)',
    )
    .option('--user-pool-id <id>', 'the pool the product is to serve')
    .option('--staff-user-pool-id <id>', 'the pool staff sign in to, when it is not the user pool')
    .option('--from-address <address>', 'the address recovery emails are sent from')
    .option('--staff-client-id <id>', 'the staff app client, once it exists')
    .option('--support-group <name>', 'group whose members approve requests', 'mfa-recovery-support')
    .option('--auditor-group <name>', 'group whose members read the audit trail', 'mfa-recovery-auditor')
    .action(async (options: PreflightOptions, command: Command) => {
      const globals = command.optsWithGlobals() as { region?: string; stackFile?: string; json?: boolean };
      const { target, clients } = resolvePreflight(options, globals, io);
      const results = await runPreflight(target, clients);
      if (globals.json) {
        io.out(JSON.stringify({ target, results }, null, 2));
      } else {
        io.out(
          `Preflight of ${target.userPoolId} in ${target.region}, sending from ${target.fromAddress}\n\n${table(
            ['CHECK', 'RESULT', 'FOUND / FIX'],
            results.flatMap((result) => [
              [result.check, result.verdict.toUpperCase(), result.detail],
              ...(result.fix && result.verdict !== 'pass' ? [['', '', `fix: ${result.fix}`]] : []),
            ]),
          )}`,
        );
      }
      const failed = results.filter((result) => result.verdict === 'fail').length;
      if (failed > 0) throw new CliError(`${failed} check(s) failed: fix them before deploying`, 1);
    });
}

function resolvePreflight(
  options: PreflightOptions,
  globals: { region?: string; stackFile?: string },
  io: CliIo,
): { target: PreflightTarget; clients: PreflightClients } {
  const forAccount = Boolean(globals.region || options.userPoolId || options.fromAddress);
  if (forAccount) {
    const missing = [
      !globals.region && '--region',
      !options.userPoolId && '--user-pool-id',
      !options.fromAddress && '--from-address',
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new CliError(
        `against an account, pass ${missing.join(', ')} (or no options for the local stack)`,
        2,
      );
    }
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(options.fromAddress as string)) {
      throw new CliError(`--from-address must be an email address, got "${options.fromAddress}"`, 2);
    }
    const region = globals.region as string;
    return {
      target: {
        region,
        userPoolId: options.userPoolId as string,
        staffUserPoolId: options.staffUserPoolId ?? (options.userPoolId as string),
        fromAddress: options.fromAddress as string,
        supportGroup: options.supportGroup,
        auditorGroup: options.auditorGroup,
        ...(options.staffClientId ? { staffClientId: options.staffClientId } : {}),
      },
      // The caller's own credentials, from the standard AWS environment.
      clients: { cognito: new CognitoIdentityProviderClient({ region }), ses: new SESv2Client({ region }) },
    };
  }
  const stack = readLocalStack(globals.stackFile, io.cwd, '--region, --user-pool-id and --from-address');
  return {
    target: {
      region: stack.region,
      userPoolId: stack.userPoolId,
      staffUserPoolId: stack.staffUserPoolId ?? stack.userPoolId,
      fromAddress: stack.fromAddress,
      supportGroup: options.supportGroup,
      auditorGroup: options.auditorGroup,
      staffClientId: stack.staffClientId ?? stack.userPoolClientId,
    },
    clients: {
      cognito: new CognitoIdentityProviderClient({
        region: stack.region,
        endpoint: stack.endpoints.cognito,
        credentials: LOCAL_CREDENTIALS,
      }),
      ses: new SESv2Client({
        region: stack.region,
        endpoint: stack.endpoints.ses,
        credentials: LOCAL_CREDENTIALS,
      }),
    },
  };
}
