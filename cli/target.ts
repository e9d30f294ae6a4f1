import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { StackInfo } from '../local/stack-info';
import { CliError } from './errors';

/** Where the commands go and who signs in: a deployed stack by options, the local stack by default. */
export interface Target {
  readonly apiUrl: string;
  readonly region: string;
  /** The staff app client (USER_PASSWORD_AUTH) of the pool. */
  readonly clientId: string;
  /** Local stack only: the emulator's endpoint. */
  readonly cognitoEndpoint?: string;
  readonly staff: StaffCredentials;
  /** Local stack only, for commands that read AWS directly. */
  readonly local?: StackInfo;
}

export interface StaffCredentials {
  readonly username?: string;
  readonly password?: string;
  /** A code typed from the authenticator, or a secret to compute it from (seeded local users). */
  readonly totpCode?: string;
  readonly totpSecret?: string;
}

export interface TargetOptions {
  readonly stackFile?: string;
  readonly apiUrl?: string;
  readonly region?: string;
  readonly clientId?: string;
  readonly username?: string;
  readonly totpCode?: string;
}

/**
 * Resolves the target. With `--api-url`, a deployed stack: `--region` and `--client-id` are needed,
 * the password comes from TOTP_RECOVERY_PASSWORD (never an argument: arguments show in `ps`). Without
 * it, `.local/stack.json`, signing in as the first seeded member of `staffGroup` unless told otherwise.
 */
export function resolveTarget(
  options: TargetOptions,
  staffGroup: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Target {
  const password = env.TOTP_RECOVERY_PASSWORD;
  const totpCode = options.totpCode ?? env.TOTP_RECOVERY_TOTP_CODE;
  if (options.apiUrl) {
    const missing = [!options.region && '--region', !options.clientId && '--client-id'].filter(Boolean);
    if (missing.length > 0) {
      throw new CliError(
        `with --api-url, also pass ${missing.join(' and ')} (the region and the staff app client id from the stack outputs)`,
        2,
      );
    }
    if (!options.username) throw new CliError('with --api-url, pass --username (your staff account)', 2);
    return {
      apiUrl: trimSlash(parseUrl(options.apiUrl)),
      region: options.region as string,
      clientId: options.clientId as string,
      staff: { username: options.username, password, totpCode },
    };
  }
  const stack = readLocalStack(options.stackFile, cwd, '--api-url');
  const seeded = stack.users.find((user) =>
    options.username ? user.username === options.username : user.groups.includes(staffGroup),
  );
  return {
    apiUrl: trimSlash(stack.apiUrl),
    region: stack.region,
    // stack.json files written before staffClientId existed: staff signed in with the app's client.
    clientId: stack.staffClientId ?? stack.userPoolClientId,
    cognitoEndpoint: stack.endpoints.cognito,
    local: stack,
    staff: {
      username: options.username ?? seeded?.username,
      password: password ?? seeded?.password,
      totpCode,
      totpSecret: seeded?.totpSecret,
    },
  };
}

/** The emulators accept any credentials; the SDK still needs some to sign requests to the local stack. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The local stack's description; `otherwise` names the option that targets a deployed stack instead. */
export function readLocalStack(stackFile: string | undefined, cwd: string, otherwise: string): StackInfo {
  const file = resolve(cwd, stackFile ?? '.local/stack.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
  } catch {
    throw new CliError(
      `cannot read ${file}: start the local stack with \`npm start\`, or pass ${otherwise}`,
      2,
    );
  }
}

function parseUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
      throw new Error('not https');
    }
    return url.toString();
  } catch {
    throw new CliError(`--api-url must be an https URL, got "${text}"`, 2);
  }
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');
