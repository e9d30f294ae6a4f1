/// <reference lib="dom" />
// Calls Cognito's user pools API straight from the page, as the AWS SDK would (JSON 1.1): the
// sign-in and enrolment operations it uses are authorised by the password, the session or the
// user's own access token, never by AWS credentials.

type Json = Record<string, unknown>;

/** A Cognito error, named as Cognito names it (NotAuthorizedException, CodeMismatchException...). */
export class CognitoError extends Error {}

export function cognitoCaller(cognitoUrl: string) {
  return async function cognito(operation: string, body: Json): Promise<Json> {
    const response = await fetch(cognitoUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify(body),
    });
    const json = (await response.json().catch(() => ({}))) as Json;
    if (!response.ok) {
      throw new CognitoError(
        String(json.__type ?? 'Error')
          .split('#')
          .pop(),
      );
    }
    return json;
  };
}

/** The claims of a JWT the page holds (read only to show a name; the API verifies tokens). */
export function claimsOf(token: string): Json {
  const payload = token.split('.')[1]?.replace(/-/g, '+').replace(/_/g, '/') ?? '';
  try {
    return JSON.parse(atob(payload)) as Json;
  } catch {
    return {};
  }
}
