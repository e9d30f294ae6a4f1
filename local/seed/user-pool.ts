import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  type CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  type ExplicitAuthFlowsType,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  UserNotFoundException,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Secret, TOTP } from 'otpauth';

export type PoolMfaMode = 'ON' | 'OPTIONAL' | 'OFF';

/** A person the local stack creates so the product can be tried without typing anything. */
export interface DemoUser {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly groups: readonly string[];
  /** Whether the seed enrols a TOTP authenticator for the user. */
  readonly totp: boolean;
  /** A verified phone number: notices also go there by SMS. */
  readonly phone?: string;
  readonly role: string;
}

export interface SeededUser extends DemoUser {
  /** Base32 TOTP secret to add to an authenticator app; absent for users without TOTP. */
  readonly totpSecret?: string;
  readonly sub: string;
}

export interface SeededPool {
  readonly userPoolId: string;
  /** The sign-in client a web page would use (USER_PASSWORD_AUTH). */
  readonly userPoolClientId: string;
  /** The product's dedicated client for the password proof (ADMIN_USER_PASSWORD_AUTH only). */
  readonly passwordProofClientId: string;
  /** The product's public client for re-enrolment and recovery codes (USER_PASSWORD_AUTH). */
  readonly enrollClientId: string;
  readonly users: readonly SeededUser[];
}

export const SUPPORT_GROUP = 'mfa-recovery-support';
export const AUDITOR_GROUP = 'mfa-recovery-auditor';
export const PRIVILEGED_GROUP = 'admins';

export const demoUsers: readonly DemoUser[] = [
  {
    username: 'alice',
    email: 'alice@example.com',
    password: 'Alice-lost-her-phone-1',
    groups: [],
    totp: true,
    role: 'regular user',
  },
  {
    username: 'adam',
    email: 'adam@example.com',
    password: 'Adam-is-an-admin-1',
    groups: [PRIVILEGED_GROUP],
    totp: true,
    role: 'privileged user (admins)',
  },
  {
    username: 'peter',
    email: 'peter@example.com',
    password: 'Peter-has-a-phone-1',
    groups: [],
    totp: true,
    role: 'regular user with a verified phone (SMS notices)',
    phone: '+15555550123',
  },
  {
    username: 'nora',
    email: 'nora@example.com',
    password: 'Nora-has-no-totp-1',
    groups: [],
    totp: false,
    role: 'user without TOTP',
  },
  {
    username: 'sam',
    email: 'sam@example.com',
    password: 'Sam-works-in-support-1',
    groups: [SUPPORT_GROUP],
    totp: true,
    role: 'support staff',
  },
  {
    username: 'sara',
    email: 'sara@example.com',
    password: 'Sara-works-in-support-1',
    groups: [SUPPORT_GROUP],
    totp: true,
    role: 'support staff (second approver)',
  },
  {
    username: 'audrey',
    email: 'audrey@example.com',
    password: 'Audrey-audits-1',
    groups: [AUDITOR_GROUP],
    totp: true,
    role: 'auditor',
  },
];

const POOL_NAME = 'totp-recovery-local';
/** With a separate staff pool (`separateStaffPool`), the staff are seeded in it. */
export const STAFF_POOL_NAME = 'totp-recovery-local-staff';
/** Staff: members of the support or auditor group. */
export const isStaff = (user: DemoUser) =>
  user.groups.includes(SUPPORT_GROUP) || user.groups.includes(AUDITOR_GROUP);
const SIGN_IN_CLIENT = 'web-sign-in';
const PASSWORD_PROOF_CLIENT = 'totp-recovery-password-proof';
const ENROLL_CLIENT = 'totp-recovery-enroll';

/**
 * Creates (or finds, when state was persisted) the demo user pool, its clients, groups and users.
 * Running it twice changes nothing; `knownSecrets` carries TOTP secrets from an earlier run.
 */
export async function seedUserPool(
  cognito: CognitoIdentityProviderClient,
  options: {
    readonly mfa: PoolMfaMode;
    readonly knownSecrets: Readonly<Record<string, string>>;
    /** @default 'totp-recovery-local' */
    readonly poolName?: string;
    /** @default every demo user */
    readonly users?: readonly DemoUser[];
    /** Create the pool with threat protection (AUDIT) and record a few sign-ins of the demo users. @default false */
    readonly threatProtection?: boolean;
  },
): Promise<SeededPool> {
  const { userPoolId, created } = await ensurePool(
    cognito,
    options.poolName ?? POOL_NAME,
    options.threatProtection ?? false,
  );
  // TOTP must be on for enrolment; the pool's mode is then set to what was asked.
  await cognito.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: userPoolId,
      SoftwareTokenMfaConfiguration: { Enabled: true },
      MfaConfiguration: 'OPTIONAL',
    }),
  );
  const userPoolClientId = await ensureClient(cognito, userPoolId, SIGN_IN_CLIENT, [
    'ALLOW_USER_PASSWORD_AUTH',
    'ALLOW_USER_SRP_AUTH',
    'ALLOW_REFRESH_TOKEN_AUTH',
  ]);
  const passwordProofClientId = await ensureClient(cognito, userPoolId, PASSWORD_PROOF_CLIENT, [
    'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  ]);
  const enrollClientId = await ensureClient(cognito, userPoolId, ENROLL_CLIENT, [
    'ALLOW_USER_PASSWORD_AUTH',
    'ALLOW_REFRESH_TOKEN_AUTH',
  ]);
  for (const group of [SUPPORT_GROUP, AUDITOR_GROUP, PRIVILEGED_GROUP]) {
    await ensureGroup(cognito, userPoolId, group);
  }
  const users: SeededUser[] = [];
  for (const user of options.users ?? demoUsers) {
    users.push(await ensureUser(cognito, userPoolId, passwordProofClientId, user, options.knownSecrets));
  }
  await cognito.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: userPoolId,
      SoftwareTokenMfaConfiguration: { Enabled: true },
      MfaConfiguration: options.mfa,
    }),
  );
  if (created && options.threatProtection) {
    for (const user of options.users ?? demoUsers) {
      await recordDemoSignIns(cognito, userPoolId, passwordProofClientId, user);
    }
  }
  return { userPoolId, userPoolClientId, passwordProofClientId, enrollClientId, users };
}

/** Where the demo users signed in from, as threat protection records it (RFC 5737 documentation addresses). */
const DEMO_SIGN_INS = [
  {
    ip: '198.51.100.23',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
    rightPassword: true,
  },
  {
    ip: '203.0.113.77',
    userAgent:
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
    rightPassword: false,
  },
] as const;

/** What an app's server tells Cognito of its user's sign-in. */
const contextDataOf = (signIn: { readonly ip: string; readonly userAgent: string }) => ({
  IpAddress: signIn.ip,
  ServerName: 'app.example.com',
  ServerPath: '/sign-in',
  HttpHeaders: [{ headerName: 'User-Agent', headerValue: signIn.userAgent }],
});

/**
 * A sign-in with the right password from the usual place and a wrong one from another, the way an app's
 * server passes its user's address and browser to Cognito (ContextData): with threat protection on,
 * support then reads the user's sign-in events, one of them a new address (Medium risk).
 */
async function recordDemoSignIns(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  clientId: string,
  user: DemoUser,
): Promise<void> {
  for (const signIn of DEMO_SIGN_INS) {
    await cognito
      .send(
        new AdminInitiateAuthCommand({
          UserPoolId: userPoolId,
          ClientId: clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: {
            USERNAME: user.username,
            PASSWORD: signIn.rightPassword ? user.password : `${user.password}-not`,
          },
          ContextData: contextDataOf(signIn),
        }),
      )
      .catch((error: unknown) => {
        if ((error as Error).name !== 'NotAuthorizedException') throw error;
      });
  }
}

async function ensurePool(
  cognito: CognitoIdentityProviderClient,
  poolName: string,
  threatProtection: boolean,
): Promise<{ userPoolId: string; created: boolean }> {
  const pools = await cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  const existing = pools.UserPools?.find((pool) => pool.Name === poolName);
  if (existing?.Id) return { userPoolId: existing.Id, created: false };
  const created = await cognito.send(
    new CreateUserPoolCommand({
      PoolName: poolName,
      // Threat protection is a Plus-tier feature, as in Cognito.
      ...(threatProtection
        ? { UserPoolTier: 'PLUS' as const, UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' as const } }
        : {}),
      AutoVerifiedAttributes: ['email'],
      AliasAttributes: ['email'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: false,
        },
      },
    }),
  );
  if (!created.UserPool?.Id) throw new Error('CreateUserPool returned no pool id');
  return { userPoolId: created.UserPool.Id, created: true };
}

async function ensureClient(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  clientName: string,
  flows: ExplicitAuthFlowsType[],
): Promise<string> {
  const clients = await cognito.send(
    new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }),
  );
  const existing = clients.UserPoolClients?.find((client) => client.ClientName === clientName);
  if (existing?.ClientId) return existing.ClientId;
  const created = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: clientName,
      GenerateSecret: false,
      ExplicitAuthFlows: flows,
      PreventUserExistenceErrors: 'ENABLED',
    }),
  );
  if (!created.UserPoolClient?.ClientId) throw new Error('CreateUserPoolClient returned no client id');
  return created.UserPoolClient.ClientId;
}

async function ensureGroup(cognito: CognitoIdentityProviderClient, userPoolId: string, groupName: string) {
  try {
    await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: groupName }));
  } catch (error) {
    if ((error as Error).name !== 'GroupExistsException') throw error;
  }
}

async function ensureUser(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  passwordProofClientId: string,
  user: DemoUser,
  knownSecrets: Readonly<Record<string, string>>,
): Promise<SeededUser> {
  let sub = await findSub(cognito, userPoolId, user.username);
  const isNew = sub === undefined;
  if (sub === undefined) {
    const created = await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: user.username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: user.email },
          { Name: 'email_verified', Value: 'true' },
          ...(user.phone
            ? [
                { Name: 'phone_number', Value: user.phone },
                { Name: 'phone_number_verified', Value: 'true' },
              ]
            : []),
        ],
      }),
    );
    sub = created.User?.Attributes?.find((attribute) => attribute.Name === 'sub')?.Value;
    if (!sub) throw new Error(`AdminCreateUser returned no sub for ${user.username}`);
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: user.username,
        Password: user.password,
        Permanent: true,
      }),
    );
  }
  const groups = await cognito.send(
    new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: user.username }),
  );
  for (const group of user.groups) {
    if (!groups.Groups?.some((g) => g.GroupName === group)) {
      await cognito.send(
        new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: user.username, GroupName: group }),
      );
    }
  }
  const known = knownSecrets[user.username];
  if (!user.totp) return { ...user, sub };
  if (!isNew && known) return { ...user, sub, totpSecret: known };
  const totpSecret = await enrolTotp(cognito, userPoolId, passwordProofClientId, user);
  return { ...user, sub, totpSecret };
}

async function findSub(cognito: CognitoIdentityProviderClient, userPoolId: string, username: string) {
  try {
    const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }));
    return user.UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value;
  } catch (error) {
    if (error instanceof UserNotFoundException) return undefined;
    throw error;
  }
}

/** Enrols TOTP the way a person would: sign in, associate, verify a real code, prefer TOTP. */
async function enrolTotp(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  clientId: string,
  user: DemoUser,
): Promise<string> {
  const auth = await cognito.send(
    new AdminInitiateAuthCommand({
      UserPoolId: userPoolId,
      ClientId: clientId,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
      // The demo users enrolled from their usual computer (only threat protection reads it).
      ContextData: contextDataOf(DEMO_SIGN_INS[0]),
    }),
  );
  const accessToken = auth.AuthenticationResult?.AccessToken;
  if (!accessToken) throw new Error(`${user.username}: expected tokens while the pool's MFA is OPTIONAL`);
  const association = await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
  const secret = association.SecretCode;
  if (!secret) throw new Error(`${user.username}: AssociateSoftwareToken returned no secret`);
  const code = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate();
  await cognito.send(
    new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: code, FriendlyDeviceName: 'demo' }),
  );
  await cognito.send(
    new SetUserMFAPreferenceCommand({
      AccessToken: accessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  return secret;
}
