import { randomBytes } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Secret, TOTP } from 'otpauth';
import type { StackInfo } from '../../local/stack-info';

export interface TestUser {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  /** Base32 secret of the user's current authenticator, if any. */
  totpSecret?: string;
}

/** The current RFC 6238 code for a secret, computed independently of the emulator. */
export function totpCode(secret: string, offsetSteps = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 });
  return totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}

/** Signs in as the app's sign-in page would (USER_PASSWORD_AUTH). */
export async function signIn(cognito: CognitoIdentityProviderClient, stack: StackInfo, user: TestUser) {
  return cognito.send(
    new InitiateAuthCommand({
      ClientId: stack.userPoolClientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
    }),
  );
}

/** Signs in all the way, answering the TOTP challenge, and returns the tokens. */
export async function signInWithTotp(
  cognito: CognitoIdentityProviderClient,
  stack: StackInfo,
  user: TestUser,
): Promise<AuthenticationResultType> {
  const first = await signIn(cognito, stack, user);
  if (first.AuthenticationResult) return first.AuthenticationResult;
  if (first.ChallengeName !== 'SOFTWARE_TOKEN_MFA' || !user.totpSecret) {
    throw new Error(`unexpected challenge ${first.ChallengeName}`);
  }
  const answer = await cognito.send(
    new RespondToAuthChallengeCommand({
      ClientId: stack.userPoolClientId,
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: first.Session,
      ChallengeResponses: { USERNAME: user.username, SOFTWARE_TOKEN_MFA_CODE: totpCode(user.totpSecret) },
    }),
  );
  if (!answer.AuthenticationResult) throw new Error('no tokens after the TOTP challenge');
  return answer.AuthenticationResult;
}

/**
 * Completes an MFA_SETUP challenge as a person setting up a new authenticator would: associate,
 * type a real code, answer the challenge. Stores the new secret on the user.
 */
export async function setUpAuthenticatorAtSignIn(
  cognito: CognitoIdentityProviderClient,
  stack: StackInfo,
  user: TestUser,
  session: string,
): Promise<AuthenticationResultType> {
  const association = await cognito.send(new AssociateSoftwareTokenCommand({ Session: session }));
  if (!association.SecretCode) throw new Error('no secret from AssociateSoftwareToken');
  const verified = await cognito.send(
    new VerifySoftwareTokenCommand({
      Session: association.Session,
      UserCode: totpCode(association.SecretCode),
    }),
  );
  const answer = await cognito.send(
    new RespondToAuthChallengeCommand({
      ClientId: stack.userPoolClientId,
      ChallengeName: 'MFA_SETUP',
      Session: verified.Session,
      ChallengeResponses: { USERNAME: user.username },
    }),
  );
  if (!answer.AuthenticationResult) throw new Error('no tokens after MFA_SETUP');
  user.totpSecret = association.SecretCode;
  return answer.AuthenticationResult;
}

/**
 * Creates a fresh confirmed user with a verified email, and enrols TOTP unless told not to; each
 * test gets its own user so per-user limits and locks never couple tests.
 */
export async function createUser(
  cognito: CognitoIdentityProviderClient,
  stack: StackInfo,
  options: {
    readonly totp?: boolean;
    readonly groups?: readonly string[];
    readonly prefix?: string;
    /** A verified phone number (E.164): the account then has a second notice channel. */
    readonly phone?: string;
    /** Cognito's `locale` attribute: the language of the account's emails and texts. */
    readonly locale?: string;
  } = {},
): Promise<TestUser> {
  const suffix = randomBytes(5).toString('hex');
  const username = `${options.prefix ?? 'user'}-${suffix}`;
  const user: TestUser = {
    username,
    email: `${username}@example.com`,
    password: `Test-password-${suffix}-A1`,
  };
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: stack.userPoolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: user.email },
        { Name: 'email_verified', Value: 'true' },
        ...(options.phone
          ? [
              { Name: 'phone_number', Value: options.phone },
              { Name: 'phone_number_verified', Value: 'true' },
            ]
          : []),
        ...(options.locale ? [{ Name: 'locale', Value: options.locale }] : []),
      ],
    }),
  );
  await cognito.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: stack.userPoolId,
      Username: username,
      Password: user.password,
      Permanent: true,
    }),
  );
  for (const group of options.groups ?? []) {
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: stack.userPoolId, Username: username, GroupName: group }),
    );
  }
  if (options.totp !== false) {
    const first = await signIn(cognito, stack, user);
    if (first.ChallengeName === 'MFA_SETUP' && first.Session) {
      await setUpAuthenticatorAtSignIn(cognito, stack, user, first.Session);
    } else if (first.AuthenticationResult?.AccessToken) {
      await enrolWithAccessToken(cognito, user, first.AuthenticationResult.AccessToken);
    } else {
      throw new Error(`cannot enrol TOTP: sign-in answered ${first.ChallengeName}`);
    }
  }
  return user;
}

/** Enrols a new authenticator for a signed-in user (OPTIONAL pools) and makes TOTP the preferred factor. */
export async function enrolWithAccessToken(
  cognito: CognitoIdentityProviderClient,
  user: TestUser,
  accessToken: string,
) {
  const association = await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
  if (!association.SecretCode) throw new Error('no secret from AssociateSoftwareToken');
  await cognito.send(
    new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totpCode(association.SecretCode) }),
  );
  await cognito.send(
    new SetUserMFAPreferenceCommand({
      AccessToken: accessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  user.totpSecret = association.SecretCode;
}
