import {
  AdminDeleteSoftwareTokenCommand,
  AdminForgetDeviceCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminListDevicesCommand,
  AdminListGroupsForUserCommand,
  AdminListUserAuthEventsCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminUserGlobalSignOutCommand,
  type CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  GetUserCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CognitoBudget } from '../domain/cognito-budget';
import type { DirectoryUser, SignedInAccount, SignInEvent, SignInEvents } from '../domain/directory';
import { awsErrorName, rethrowTransient } from './aws-errors';

/** The outcome of proving a password, without ever keeping a session or token. */
export type PasswordProof =
  | { readonly kind: 'rejected' }
  | { readonly kind: 'proven'; readonly totpEnrolled: boolean };

export type { DirectoryUser, SignedInAccount, SignInEvent, SignInEvents };

const REJECTIONS = new Set([
  'NotAuthorizedException',
  'UserNotFoundException',
  'UserNotConfirmedException',
  'PasswordResetRequiredException',
]);

/**
 * The Cognito user pool, as the product needs it. Callers take the Cognito budget for the calls they
 * foresee, one take per step before the first call (domain/cognito-budget.ts); the calls only the
 * answers reveal (a further page, one per remembered device) are taken here, one by one.
 */
export function createUserDirectory(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  budget: CognitoBudget,
) {
  return {
    /**
     * Finds the username behind a verified email. Only a verified email identifies an account: other
     * accounts that merely claim the same address are ignored, and two verified ones match nobody.
     */
    async usernameForEmail(email: string): Promise<string | undefined> {
      const escaped = email.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
      const verified: string[] = [];
      let token: string | undefined;
      do {
        if (token) await budget.take(['ListUsers']);
        const page = await cognito
          .send(
            new ListUsersCommand({
              UserPoolId: userPoolId,
              Filter: `email = "${escaped}"`,
              Limit: 60,
              PaginationToken: token,
            }),
          )
          .catch((error) => rethrowTransient(error, 'ListUsers'));
        for (const user of page.Users ?? []) {
          const isVerified = user.Attributes?.find((a) => a.Name === 'email_verified')?.Value === 'true';
          if (isVerified && user.Username) verified.push(user.Username);
        }
        token = page.PaginationToken;
      } while (token);
      return verified.length === 1 ? verified[0] : undefined;
    },

    /**
     * Who an access token belongs to, asked of the pool itself (GetUser): undefined when the token is
     * no longer valid (signed out everywhere, revoked, expired, user disabled or deleted).
     */
    async userOfAccessToken(accessToken: string): Promise<SignedInAccount | undefined> {
      try {
        const user = await cognito.send(new GetUserCommand({ AccessToken: accessToken }));
        const attribute = (name: string) => user.UserAttributes?.find((a) => a.Name === name)?.Value;
        const sub = attribute('sub');
        if (!user.Username || !sub) return undefined;
        return {
          username: user.Username,
          sub,
          ...(attribute('email') ? { email: attribute('email') as string } : {}),
          emailVerified: attribute('email_verified') === 'true',
          ...(attribute('phone_number') ? { phoneNumber: attribute('phone_number') as string } : {}),
          phoneVerified: attribute('phone_number_verified') === 'true',
          mfa: user.UserMFASettingList ?? [],
          ...(attribute('locale') ? { locale: attribute('locale') as string } : {}),
        };
      } catch (error) {
        if (['NotAuthorizedException', 'UserNotFoundException'].includes(awsErrorName(error) ?? '')) {
          return undefined;
        }
        return rethrowTransient(error, 'GetUser');
      }
    },

    /**
     * Proves the password with ADMIN_USER_PASSWORD_AUTH. A SOFTWARE_TOKEN_MFA challenge means the
     * password is right and TOTP is enrolled; the challenge session is dropped unanswered.
     */
    /**
     * Proves a password. `client` is who sent the form: with threat protection, Cognito rates the
     * attempt on the user's address and browser (ContextData) instead of this function's own.
     */
    async provePassword(
      clientId: string,
      username: string,
      password: string,
      client?: { readonly sourceIp: string; readonly userAgent: string; readonly serverName: string },
    ): Promise<PasswordProof> {
      try {
        const result = await cognito.send(
          new AdminInitiateAuthCommand({
            UserPoolId: userPoolId,
            ClientId: clientId,
            AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: username, PASSWORD: password },
            ...(client
              ? {
                  ContextData: {
                    IpAddress: client.sourceIp,
                    ServerName: client.serverName,
                    ServerPath: '/recoveries',
                    HttpHeaders: [{ headerName: 'User-Agent', headerValue: client.userAgent }],
                  },
                }
              : {}),
          }),
        );
        const choices = result.ChallengeParameters?.MFAS_CAN_CHOOSE ?? '';
        const totpEnrolled =
          result.ChallengeName === 'SOFTWARE_TOKEN_MFA' ||
          (result.ChallengeName === 'SELECT_MFA_TYPE' && choices.includes('SOFTWARE_TOKEN_MFA'));
        return { kind: 'proven', totpEnrolled };
      } catch (error) {
        if (REJECTIONS.has(awsErrorName(error) ?? '')) return { kind: 'rejected' };
        return rethrowTransient(error, 'AdminInitiateAuth');
      }
    },

    async getUser(username: string): Promise<DirectoryUser | undefined> {
      try {
        const user = await cognito.send(
          new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }),
        );
        const attribute = (name: string) => user.UserAttributes?.find((a) => a.Name === name)?.Value;
        return {
          username: user.Username ?? username,
          sub: attribute('sub') ?? '',
          email: attribute('email'),
          emailVerified: attribute('email_verified') === 'true',
          phoneNumber: attribute('phone_number'),
          phoneVerified: attribute('phone_number_verified') === 'true',
          enabled: user.Enabled ?? false,
          status: user.UserStatus ?? 'UNKNOWN',
          mfa: user.UserMFASettingList ?? [],
          ...(user.PreferredMfaSetting ? { preferredMfa: user.PreferredMfaSetting } : {}),
          createdAt: user.UserCreateDate?.toISOString(),
          ...(user.UserLastModifiedDate ? { modifiedAt: user.UserLastModifiedDate.toISOString() } : {}),
          ...(attribute('zoneinfo') ? { zoneinfo: attribute('zoneinfo') as string } : {}),
          ...(attribute('locale') ? { locale: attribute('locale') as string } : {}),
          customAttributes: Object.fromEntries(
            (user.UserAttributes ?? [])
              .filter((a) => a.Name?.startsWith('custom:') && a.Value !== undefined)
              .map((a) => [a.Name, a.Value]),
          ),
        };
      } catch (error) {
        if (awsErrorName(error) === 'UserNotFoundException') return undefined;
        return rethrowTransient(error, 'AdminGetUser');
      }
    },

    async groupsOf(username: string): Promise<string[]> {
      const groups: string[] = [];
      let nextToken: string | undefined;
      do {
        if (nextToken) await budget.take(['AdminListGroupsForUser']);
        const page = await cognito
          .send(
            new AdminListGroupsForUserCommand({
              UserPoolId: userPoolId,
              Username: username,
              NextToken: nextToken,
            }),
          )
          .catch((error) => rethrowTransient(error, 'AdminListGroupsForUser'));
        groups.push(...(page.Groups ?? []).flatMap((g) => (g.GroupName ? [g.GroupName] : [])));
        nextToken = page.NextToken;
      } while (nextToken);
      return groups;
    },

    /** The user's latest sign-in attempts (at most `max`, newest first), when the pool has threat protection. */
    async signInEventsOf(username: string, max: number): Promise<SignInEvents> {
      try {
        const page = await cognito.send(
          new AdminListUserAuthEventsCommand({ UserPoolId: userPoolId, Username: username, MaxResults: max }),
        );
        return {
          threatProtection: true,
          events: (page.AuthEvents ?? []).map((event) => {
            const context = event.EventContextData;
            return {
              at: event.CreationDate?.toISOString() ?? '',
              type: event.EventType ?? 'Unknown',
              ...(event.EventResponse ? { response: event.EventResponse } : {}),
              ...(event.EventRisk?.RiskLevel ? { riskLevel: event.EventRisk.RiskLevel } : {}),
              ...(event.EventRisk?.RiskDecision ? { riskDecision: event.EventRisk.RiskDecision } : {}),
              ...(context?.IpAddress ? { ipAddress: context.IpAddress } : {}),
              ...(context?.City ? { city: context.City } : {}),
              ...(context?.Country ? { country: context.Country } : {}),
              ...(context?.DeviceName ? { device: context.DeviceName } : {}),
            };
          }),
        };
      } catch (error) {
        if (awsErrorName(error) === 'UserPoolAddOnNotEnabledException') return { threatProtection: false };
        return rethrowTransient(error, 'AdminListUserAuthEvents');
      }
    },

    /** Removes the TOTP factor; resolves 'absent' when the user had none. Errors it cannot handle propagate. */
    async deleteSoftwareToken(username: string): Promise<'deleted' | 'absent'> {
      try {
        await cognito.send(
          new AdminDeleteSoftwareTokenCommand({ UserPoolId: userPoolId, Username: username }),
        );
        return 'deleted';
      } catch (error) {
        if (awsErrorName(error) === 'ResourceNotFoundException') return 'absent';
        return rethrowTransient(error, 'AdminDeleteSoftwareToken');
      }
    },

    async disableTotpPreference(username: string): Promise<void> {
      await cognito
        .send(
          new AdminSetUserMFAPreferenceCommand({
            UserPoolId: userPoolId,
            Username: username,
            SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false },
          }),
        )
        .catch((error) => rethrowTransient(error, 'AdminSetUserMFAPreference'));
    },

    async poolMfaConfiguration(): Promise<string> {
      const pool = await cognito
        .send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))
        .catch((error) => rethrowTransient(error, 'DescribeUserPool'));
      return pool.UserPool?.MfaConfiguration ?? 'OFF';
    },

    async signOutEverywhere(username: string): Promise<void> {
      await cognito
        .send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: username }))
        .catch((error) => rethrowTransient(error, 'AdminUserGlobalSignOut'));
    },

    /** Forgets every remembered device; resolves how many were forgotten. */
    async forgetDevices(username: string): Promise<number> {
      let forgotten = 0;
      let token: string | undefined;
      do {
        if (token) await budget.take(['AdminListDevices']);
        const page = await cognito
          .send(
            new AdminListDevicesCommand({
              UserPoolId: userPoolId,
              Username: username,
              PaginationToken: token,
            }),
          )
          .catch((error) => rethrowTransient(error, 'AdminListDevices'));
        for (const device of page.Devices ?? []) {
          if (!device.DeviceKey) continue;
          await budget.take(['AdminForgetDevice']);
          await cognito
            .send(
              new AdminForgetDeviceCommand({
                UserPoolId: userPoolId,
                Username: username,
                DeviceKey: device.DeviceKey,
              }),
            )
            .catch((error) => rethrowTransient(error, 'AdminForgetDevice'));
          forgotten += 1;
        }
        token = page.PaginationToken;
      } while (token);
      return forgotten;
    },
  };
}

export type UserDirectory = ReturnType<typeof createUserDirectory>;
