import { readBrandFile } from './brand-file';
import type { PoolMfaMode } from './seed/user-pool';

const checkedBrandFile = (path: string) => {
  readBrandFile(path);
  return path;
};

/** What support checks before deciding, locally (the CDK prop `verificationChecklist` in AWS). */
export const LOCAL_VERIFICATION_CHECKLIST: readonly string[] = [
  'Called the user back on the phone number in our HR system',
  'The user answered a question only they can know (last sign-in place, account details)',
  'Nobody else asked for this account recently (earlier requests and sign-ins look like the user)',
];

/** Settings of `npm start`, read from the environment and arguments in one place. */
export interface LocalStartConfig {
  readonly port: number;
  readonly poolMfa: PoolMfaMode;
  readonly persist: boolean;
  /** Where stack.json and persisted data go. @default <repo>/.local */
  readonly stateDir?: string;
  /** @default <repo>/local/risk-policy.json */
  readonly riskPolicyFile?: string;
  /** Cognito threat protection (AUDIT) on the seeded user pool, with recorded sign-ins. @default false */
  readonly threatProtection: boolean;
  /** The operator's brand and languages (checked here, so a bad file stops the start). @default <repo>/local/brand.json */
  readonly brandFile?: string;
}

/** Reads `PORT`, `LOCAL_POOL_MFA`, `LOCAL_THREAT_PROTECTION`, `LOCAL_STATE_DIR`, `RISK_POLICY_FILE`, `BRAND_FILE` and `--persist`; throws a message that says what to change. */
export function readLocalStartConfig(
  env: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = process.argv.slice(2),
): LocalStartConfig {
  const portText = env.PORT ?? '8787';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new Error(`PORT must be a TCP port number (0-65535, 0 = any free port), got "${portText}"`);
  }
  const poolMfa = (env.LOCAL_POOL_MFA ?? 'ON').toUpperCase();
  if (poolMfa !== 'ON' && poolMfa !== 'OPTIONAL' && poolMfa !== 'OFF') {
    throw new Error(`LOCAL_POOL_MFA must be ON, OPTIONAL or OFF, got "${env.LOCAL_POOL_MFA}"`);
  }
  const threatProtection = (env.LOCAL_THREAT_PROTECTION ?? 'OFF').toUpperCase();
  if (threatProtection !== 'OFF' && threatProtection !== 'AUDIT') {
    throw new Error(`LOCAL_THREAT_PROTECTION must be OFF or AUDIT, got "${env.LOCAL_THREAT_PROTECTION}"`);
  }
  const unknown = argv.filter((arg) => arg !== '--persist');
  if (unknown.length > 0)
    throw new Error(`unknown argument(s): ${unknown.join(' ')} (only --persist is known)`);
  return {
    port,
    poolMfa,
    persist: argv.includes('--persist'),
    threatProtection: threatProtection === 'AUDIT',
    ...(env.LOCAL_STATE_DIR ? { stateDir: env.LOCAL_STATE_DIR } : {}),
    ...(env.RISK_POLICY_FILE ? { riskPolicyFile: env.RISK_POLICY_FILE } : {}),
    ...(env.BRAND_FILE ? { brandFile: checkedBrandFile(env.BRAND_FILE) } : {}),
  };
}
