import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

/** Refuses to run against AWS without credentials and a region, saying what to set. */
export default async function requireCredentials() {
  const client = new CognitoIdentityProviderClient({});
  const region = await client.config.region().catch(() => undefined);
  const credentials = await client.config
    .credentials()
    .then(() => true)
    .catch(() => false);
  client.destroy();
  if (!credentials || !region) {
    throw new Error(
      [
        'npm run test:aws runs the Cognito fidelity suite against a real AWS account, and needs:',
        credentials
          ? ''
          : '  - credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an SSO session);',
        region ? '' : '  - a region (AWS_REGION).',
        'It creates throwaway user pools and deletes them at the end. Nothing ran.',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }
}
