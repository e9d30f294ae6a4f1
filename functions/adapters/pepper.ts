import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * Loads the HMAC pepper once per cold start: from Secrets Manager in AWS, from the generated
 * `.local/` file locally. It never leaves memory.
 */
export function createPepperSource(
  source: { secretArn?: string; file?: string },
  secrets: () => SecretsManagerClient,
) {
  let pepper: Promise<Buffer> | undefined;
  const load = async (): Promise<Buffer> => {
    if (source.secretArn) {
      const secret = await secrets().send(new GetSecretValueCommand({ SecretId: source.secretArn }));
      if (!secret.SecretString) throw new Error('the pepper secret has no string value');
      return Buffer.from(secret.SecretString, 'utf8');
    }
    if (source.file) return Buffer.from((await readFile(source.file, 'utf8')).trim(), 'base64');
    throw new Error('no pepper source configured');
  };
  return () => {
    pepper ??= load().catch((error) => {
      pepper = undefined;
      throw error;
    });
    return pepper;
  };
}
