import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { totpNow } from '../local/user-pools/totp';
import { CliError } from './errors';
import { LOCAL_CREDENTIALS, type Target } from './target';

/**
 * Signs the staff member in (USER_PASSWORD_AUTH, then the TOTP challenge if the account has one)
 * and returns the access token the API's JWT authorizer checks. Tokens are never printed or stored.
 */
export async function signInStaff(target: Target): Promise<string> {
  const { staff } = target;
  if (!staff.username) throw new CliError('no staff account: pass --username', 2);
  if (!staff.password) {
    throw new CliError('no password: set TOTP_RECOVERY_PASSWORD for the staff account', 2);
  }
  const cognito = new CognitoIdentityProviderClient({
    region: target.region,
    ...(target.cognitoEndpoint ? { endpoint: target.cognitoEndpoint, credentials: LOCAL_CREDENTIALS } : {}),
  });
  try {
    const first = await cognito.send(
      new InitiateAuthCommand({
        ClientId: target.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: staff.username, PASSWORD: staff.password },
      }),
    );
    if (first.AuthenticationResult?.AccessToken) return first.AuthenticationResult.AccessToken;
    if (first.ChallengeName !== 'SOFTWARE_TOKEN_MFA') {
      throw new CliError(
        `sign-in needs ${first.ChallengeName ?? 'an unknown step'}; finish it in the app first`,
      );
    }
    const code = staff.totpCode ?? (staff.totpSecret ? totpNow(staff.totpSecret) : undefined);
    if (!code)
      throw new CliError('the account has TOTP: pass --totp-code (or set TOTP_RECOVERY_TOTP_CODE)', 2);
    const answer = await cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: target.clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: first.Session,
        ChallengeResponses: { USERNAME: staff.username, SOFTWARE_TOKEN_MFA_CODE: code },
      }),
    );
    const token = answer.AuthenticationResult?.AccessToken;
    if (!token) throw new CliError('sign-in did not return tokens');
    return token;
  } catch (error) {
    if (error instanceof CliError) throw error;
    const name = error instanceof Error ? error.name : '';
    if (name === 'NotAuthorizedException' || name === 'UserNotFoundException') {
      throw new CliError(`sign-in refused for ${staff.username}: wrong username, password or code`);
    }
    if (name === 'CodeMismatchException') throw new CliError('sign-in refused: the TOTP code is not right');
    throw new CliError(`sign-in failed: ${name || 'no answer'} from Cognito in ${target.region}`);
  } finally {
    cognito.destroy();
  }
}
