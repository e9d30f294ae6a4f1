import { randomBytes, randomUUID } from 'node:crypto';
import type { Body, EmulatorContext, Operation } from './context';
import { CognitoError, invalidParameter, requireStrings, resourceNotFound } from './errors';
import { applyTotpPreference, mfaSettingList, preferredMfa } from './mfa';
import { type AdvancedSecurityMode, hashPassword, type MfaMode, type Pool, type User } from './state';
import { newSigningKey } from './tokens';

const now = () => Date.now() / 1000;
const alphanumeric = (length: number) => {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(length), (byte) => chars[byte % chars.length]).join('');
};

/** Throws InvalidPasswordException, naming the first rule the password breaks. */
export function checkPasswordPolicy(pool: Pool, password: string): void {
  const policy = pool.passwordPolicy;
  const problems: string[] = [];
  if (password.length < policy.minimumLength) problems.push(`Password not long enough`);
  if (policy.requireLowercase && !/[a-z]/.test(password))
    problems.push('Password must have lowercase characters');
  if (policy.requireUppercase && !/[A-Z]/.test(password))
    problems.push('Password must have uppercase characters');
  if (policy.requireNumbers && !/\d/.test(password)) problems.push('Password must have numeric characters');
  if (policy.requireSymbols && !/[^A-Za-z0-9]/.test(password))
    problems.push('Password must have symbol characters');
  if (problems.length > 0) {
    throw new CognitoError(
      'InvalidPasswordException',
      `Password did not conform with policy: ${problems[0]}`,
    );
  }
}

/** The user as AdminGetUser / ListUsers describe it. */
export function describeUser(user: User) {
  return {
    Username: user.username,
    UserAttributes: Object.entries({ sub: user.sub, ...user.attributes }).map(([Name, Value]) => ({
      Name,
      Value,
    })),
    UserCreateDate: user.createdAt,
    UserLastModifiedDate: user.modifiedAt,
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

/** The user as list operations describe it: `Attributes` instead of `UserAttributes`. */
function listedUser(user: User, wanted?: readonly string[]) {
  const { UserAttributes, ...rest } = describeUser(user);
  return {
    ...rest,
    Attributes: wanted ? UserAttributes.filter((a) => wanted.includes(a.Name)) : UserAttributes,
  };
}

function describePool(pool: Pool) {
  return {
    Id: pool.id,
    Name: pool.name,
    Arn: `arn:aws:cognito-idp:${pool.id.split('_')[0]}:000000000000:userpool/${pool.id}`,
    CreationDate: pool.creationDate,
    LastModifiedDate: pool.creationDate,
    MfaConfiguration: pool.mfaConfiguration,
    AliasAttributes: pool.aliasAttributes,
    UsernameAttributes: pool.usernameAttributes,
    AutoVerifiedAttributes: pool.autoVerifiedAttributes,
    Policies: {
      PasswordPolicy: {
        MinimumLength: pool.passwordPolicy.minimumLength,
        RequireLowercase: pool.passwordPolicy.requireLowercase,
        RequireUppercase: pool.passwordPolicy.requireUppercase,
        RequireNumbers: pool.passwordPolicy.requireNumbers,
        RequireSymbols: pool.passwordPolicy.requireSymbols,
      },
    },
    EstimatedNumberOfUsers: Object.keys(pool.users).length,
    UserPoolTier: pool.advancedSecurityMode === 'AUDIT' ? 'PLUS' : 'ESSENTIALS',
    UserPoolAddOns: { AdvancedSecurityMode: pool.advancedSecurityMode ?? 'OFF' },
  };
}

/**
 * Threat protection asked of CreateUserPool: it needs the Plus tier, as in Cognito. This emulator
 * records events (AUDIT) but takes no automatic action, so ENFORCED is refused rather than faked.
 */
function advancedSecurityModeOf(body: Body): AdvancedSecurityMode {
  const mode = (body.UserPoolAddOns as { AdvancedSecurityMode?: unknown } | undefined)?.AdvancedSecurityMode;
  if (mode === undefined || mode === 'OFF') return 'OFF';
  if (mode !== 'AUDIT') throw invalidParameter('this emulator supports AdvancedSecurityMode OFF and AUDIT');
  if (body.UserPoolTier !== 'PLUS') {
    throw new CognitoError(
      'FeatureUnavailableInTierException',
      'Threat protection requires the PLUS feature plan (UserPoolTier).',
    );
  }
  return mode;
}

/** Parses a ListUsers filter: `attribute = "value"` or `attribute ^= "prefix"`. */
function parseFilter(filter: string): ((user: User) => boolean) | undefined {
  const match = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(filter);
  if (!match) return undefined;
  const [, attribute = '', operator, raw = ''] = match;
  const value = raw.replace(/\\(.)/g, '$1');
  const read = (user: User): string | undefined => {
    if (attribute === 'username') return user.username;
    if (attribute === 'sub') return user.sub;
    if (attribute === 'status') return user.enabled ? 'Enabled' : 'Disabled';
    if (attribute === 'cognito:user_status') return user.status;
    return user.attributes[attribute];
  };
  return (user) => {
    const actual = read(user);
    if (actual === undefined) return false;
    return operator === '=' ? actual.toLowerCase() === value.toLowerCase() : actual.startsWith(value);
  };
}

/** Pool, app client, group and user administration. */
export function adminOperations(ctx: EmulatorContext): Record<string, Operation> {
  const changed = <T>(value: T): T => {
    ctx.persist();
    return value;
  };

  return {
    CreateUserPool(body: Body) {
      requireStrings(body, 'PoolName');
      const id = `${ctx.region}_${alphanumeric(9)}`;
      const policy =
        (body.Policies as { PasswordPolicy?: Record<string, unknown> } | undefined)?.PasswordPolicy ?? {};
      const pool: Pool = {
        id,
        name: body.PoolName as string,
        creationDate: now(),
        mfaConfiguration: ((body.MfaConfiguration as MfaMode | undefined) ?? 'OFF') as MfaMode,
        softwareTokenMfaEnabled: false,
        passwordPolicy: {
          minimumLength: Number(policy.MinimumLength ?? 8),
          requireLowercase: policy.RequireLowercase !== false,
          requireUppercase: policy.RequireUppercase !== false,
          requireNumbers: policy.RequireNumbers !== false,
          requireSymbols: policy.RequireSymbols !== false,
        },
        aliasAttributes: (body.AliasAttributes as string[] | undefined) ?? [],
        usernameAttributes: (body.UsernameAttributes as string[] | undefined) ?? [],
        autoVerifiedAttributes: (body.AutoVerifiedAttributes as string[] | undefined) ?? [],
        advancedSecurityMode: advancedSecurityModeOf(body),
        signingKey: newSigningKey(),
        clients: {},
        groups: {},
        users: {},
      };
      if (pool.mfaConfiguration !== 'OFF') {
        throw invalidParameter(
          'MFA cannot be turned on without a configured factor: use SetUserPoolMfaConfig',
        );
      }
      ctx.state.pools[id] = pool;
      return changed({ UserPool: describePool(pool) });
    },

    DescribeUserPool: (body) => ({ UserPool: describePool(ctx.pool(body)) }),

    DeleteUserPool(body) {
      delete ctx.state.pools[ctx.pool(body).id];
      return changed({});
    },

    ListUserPools(body) {
      const max = Number(body.MaxResults ?? 60);
      if (!Number.isInteger(max) || max < 1 || max > 60) throw invalidParameter('MaxResults must be 1-60');
      return {
        UserPools: Object.values(ctx.state.pools)
          .slice(0, max)
          .map((pool) => ({ Id: pool.id, Name: pool.name, CreationDate: pool.creationDate })),
      };
    },

    SetUserPoolMfaConfig(body) {
      const pool = ctx.pool(body);
      const software = body.SoftwareTokenMfaConfiguration as { Enabled?: boolean } | undefined;
      if (software?.Enabled !== undefined) pool.softwareTokenMfaEnabled = software.Enabled;
      const mode = body.MfaConfiguration as MfaMode | undefined;
      if (mode !== undefined) {
        if (!['OFF', 'ON', 'OPTIONAL'].includes(mode))
          throw invalidParameter('MfaConfiguration must be OFF, ON or OPTIONAL');
        if (mode !== 'OFF' && !pool.softwareTokenMfaEnabled) {
          throw invalidParameter('At least one MFA method must be enabled to turn MFA on.');
        }
        pool.mfaConfiguration = mode;
      }
      return changed({
        SoftwareTokenMfaConfiguration: { Enabled: pool.softwareTokenMfaEnabled },
        MfaConfiguration: pool.mfaConfiguration,
      });
    },

    GetUserPoolMfaConfig(body) {
      const pool = ctx.pool(body);
      return {
        SoftwareTokenMfaConfiguration: { Enabled: pool.softwareTokenMfaEnabled },
        MfaConfiguration: pool.mfaConfiguration,
      };
    },

    CreateUserPoolClient(body) {
      const pool = ctx.pool(body);
      requireStrings(body, 'ClientName');
      if (body.GenerateSecret === true) {
        throw invalidParameter('this emulator supports public clients only (GenerateSecret false)');
      }
      const client = {
        clientId: alphanumeric(26).toLowerCase(),
        clientName: body.ClientName as string,
        userPoolId: pool.id,
        explicitAuthFlows: (body.ExplicitAuthFlows as string[] | undefined) ?? [
          'ALLOW_USER_SRP_AUTH',
          'ALLOW_REFRESH_TOKEN_AUTH',
        ],
        preventUserExistenceErrors:
          (body.PreventUserExistenceErrors as 'ENABLED' | 'LEGACY' | undefined) ?? 'ENABLED',
        creationDate: now(),
      };
      pool.clients[client.clientId] = client;
      return changed({ UserPoolClient: describeClient(client) });
    },

    DescribeUserPoolClient(body) {
      const pool = ctx.pool(body);
      const client = pool.clients[String(body.ClientId)];
      if (!client) throw resourceNotFound(`User pool client ${String(body.ClientId)} does not exist.`);
      return { UserPoolClient: describeClient(client) };
    },

    ListUserPoolClients(body) {
      const pool = ctx.pool(body);
      return {
        UserPoolClients: Object.values(pool.clients).map((c) => ({
          ClientId: c.clientId,
          ClientName: c.clientName,
          UserPoolId: pool.id,
        })),
      };
    },

    CreateGroup(body) {
      const pool = ctx.pool(body);
      requireStrings(body, 'GroupName');
      const name = body.GroupName as string;
      if (pool.groups[name])
        throw new CognitoError('GroupExistsException', 'A group with the name already exists.');
      pool.groups[name] = {
        groupName: name,
        creationDate: now(),
        ...(typeof body.Description === 'string' ? { description: body.Description } : {}),
        ...(typeof body.Precedence === 'number' ? { precedence: body.Precedence } : {}),
      };
      return changed({ Group: describeGroup(pool, name) });
    },

    GetGroup(body) {
      const pool = ctx.pool(body);
      if (!pool.groups[String(body.GroupName)]) throw resourceNotFound('Group not found.');
      return { Group: describeGroup(pool, String(body.GroupName)) };
    },

    ListGroups(body) {
      const pool = ctx.pool(body);
      return { Groups: Object.keys(pool.groups).map((name) => describeGroup(pool, name)) };
    },

    DeleteGroup(body) {
      const pool = ctx.pool(body);
      const name = String(body.GroupName);
      if (!pool.groups[name]) throw resourceNotFound('Group not found.');
      delete pool.groups[name];
      for (const user of Object.values(pool.users)) user.groups = user.groups.filter((g) => g !== name);
      return changed({});
    },

    AdminAddUserToGroup(body) {
      const pool = ctx.pool(body);
      const user = ctx.user(pool, body);
      const name = String(body.GroupName);
      if (!pool.groups[name]) throw resourceNotFound('Group not found.');
      if (!user.groups.includes(name)) user.groups.push(name);
      return changed({});
    },

    AdminRemoveUserFromGroup(body) {
      const pool = ctx.pool(body);
      const user = ctx.user(pool, body);
      user.groups = user.groups.filter((g) => g !== body.GroupName);
      return changed({});
    },

    AdminListGroupsForUser(body) {
      const pool = ctx.pool(body);
      const user = ctx.user(pool, body);
      return { Groups: user.groups.map((name) => describeGroup(pool, name)) };
    },

    ListUsersInGroup(body) {
      const pool = ctx.pool(body);
      const name = String(body.GroupName);
      if (!pool.groups[name]) throw resourceNotFound('Group not found.');
      return {
        Users: Object.values(pool.users)
          .filter((u) => u.groups.includes(name))
          .map((u) => listedUser(u)),
      };
    },

    AdminCreateUser(body) {
      const pool = ctx.pool(body);
      requireStrings(body, 'Username');
      const username = body.Username as string;
      if (ctx.findUser(pool, username))
        throw new CognitoError('UsernameExistsException', 'User account already exists');
      const attributes: Record<string, string> = {};
      for (const attribute of (body.UserAttributes as { Name: string; Value: string }[] | undefined) ?? []) {
        if (attribute.Name === 'sub') throw invalidParameter('Cannot modify the non-mutable attribute sub');
        attributes[attribute.Name] = attribute.Value;
      }
      const temporary = typeof body.TemporaryPassword === 'string' ? body.TemporaryPassword : undefined;
      if (temporary) checkPasswordPolicy(pool, temporary);
      const user: User = {
        username,
        sub: randomUUID(),
        attributes,
        enabled: true,
        status: 'FORCE_CHANGE_PASSWORD',
        ...(temporary ? { password: hashPassword(temporary) } : {}),
        createdAt: now(),
        modifiedAt: now(),
        groups: [],
        totpPreference: { enabled: false, preferred: false },
        activeOrigins: [],
        refreshTokens: {},
      };
      pool.users[username.toLowerCase()] = user;
      return changed({ User: listedUser(user) });
    },

    AdminSetUserPassword(body) {
      const pool = ctx.pool(body);
      const user = ctx.user(pool, body);
      requireStrings(body, 'Password');
      checkPasswordPolicy(pool, body.Password as string);
      user.password = hashPassword(body.Password as string);
      user.status = body.Permanent === true ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
      user.modifiedAt = now();
      return changed({});
    },

    AdminGetUser(body) {
      const user = ctx.user(ctx.pool(body), body);
      const preferred = preferredMfa(user);
      return {
        ...describeUser(user),
        UserMFASettingList: mfaSettingList(user),
        ...(preferred ? { PreferredMfaSetting: preferred } : {}),
      };
    },

    AdminDeleteUser(body) {
      const pool = ctx.pool(body);
      const user = ctx.user(pool, body);
      delete pool.users[user.username.toLowerCase()];
      return changed({});
    },

    AdminDisableUser(body) {
      const user = ctx.user(ctx.pool(body), body);
      user.enabled = false;
      user.activeOrigins = [];
      user.refreshTokens = {};
      return changed({});
    },

    AdminEnableUser(body) {
      ctx.user(ctx.pool(body), body).enabled = true;
      return changed({});
    },

    AdminUpdateUserAttributes(body) {
      const user = ctx.user(ctx.pool(body), body);
      for (const attribute of (body.UserAttributes as { Name: string; Value: string }[] | undefined) ?? []) {
        if (attribute.Name === 'sub') throw invalidParameter('Cannot modify the non-mutable attribute sub');
        user.attributes[attribute.Name] = attribute.Value;
      }
      user.modifiedAt = now();
      return changed({});
    },

    ListUsers(body) {
      const pool = ctx.pool(body);
      const limit = Number(body.Limit ?? 60);
      if (!Number.isInteger(limit) || limit < 1 || limit > 60) throw invalidParameter('Limit must be 1-60');
      let users = Object.values(pool.users);
      if (typeof body.Filter === 'string' && body.Filter.length > 0) {
        const test = parseFilter(body.Filter);
        if (!test) throw invalidParameter(`Error while parsing filter: ${body.Filter}`);
        users = users.filter(test);
      }
      const start =
        typeof body.PaginationToken === 'string'
          ? Number(Buffer.from(body.PaginationToken, 'base64url').toString())
          : 0;
      const page = users.slice(start, start + limit);
      const wanted = body.AttributesToGet as string[] | undefined;
      return {
        Users: page.map((user) => listedUser(user, wanted)),
        ...(start + limit < users.length
          ? { PaginationToken: Buffer.from(String(start + limit)).toString('base64url') }
          : {}),
      };
    },

    AdminSetUserMFAPreference(body) {
      const pool = ctx.pool(body);
      const user = ctx.user(pool, body);
      const outcome = applyTotpPreference(
        pool.mfaConfiguration,
        user,
        body.SoftwareTokenMfaSettings as never,
      );
      if (outcome === 'not-verified') throw invalidParameter('User has not verified software token mfa');
      return changed({});
    },

    AdminDeleteSoftwareToken(body) {
      const user = ctx.user(ctx.pool(body), body);
      if (!user.softwareToken) throw resourceNotFound('The user does not have a software token MFA factor.');
      delete user.softwareToken;
      delete user.pendingSecret;
      user.totpPreference = { enabled: false, preferred: false };
      user.modifiedAt = now();
      return changed({});
    },

    AdminUserGlobalSignOut(body) {
      const user = ctx.user(ctx.pool(body), body);
      user.activeOrigins = [];
      user.refreshTokens = {};
      return changed({});
    },

    AdminListDevices(body) {
      ctx.user(ctx.pool(body), body);
      return { Devices: [] };
    },

    AdminForgetDevice(body) {
      ctx.user(ctx.pool(body), body);
      throw resourceNotFound('Device not found.');
    },
  };
}

function describeClient(client: {
  clientId: string;
  clientName: string;
  userPoolId: string;
  explicitAuthFlows: string[];
  preventUserExistenceErrors: string;
  creationDate: number;
}) {
  return {
    ClientId: client.clientId,
    ClientName: client.clientName,
    UserPoolId: client.userPoolId,
    ExplicitAuthFlows: client.explicitAuthFlows,
    PreventUserExistenceErrors: client.preventUserExistenceErrors,
    CreationDate: client.creationDate,
    LastModifiedDate: client.creationDate,
    AccessTokenValidity: 60,
    IdTokenValidity: 60,
    RefreshTokenValidity: 30,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
  };
}

function describeGroup(pool: Pool, name: string) {
  const group = pool.groups[name];
  return {
    GroupName: name,
    UserPoolId: pool.id,
    CreationDate: group?.creationDate,
    LastModifiedDate: group?.creationDate,
    ...(group?.description ? { Description: group.description } : {}),
    ...(group?.precedence !== undefined ? { Precedence: group.precedence } : {}),
  };
}
