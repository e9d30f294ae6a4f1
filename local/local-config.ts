import type { PoolMfaMode } from './seed/user-pool';

/** Settings of `npm start`, read from the environment and arguments in one place. */
export interface LocalStartConfig {
  readonly port: number;
  readonly poolMfa: PoolMfaMode;
  readonly persist: boolean;
  /** Where stack.json and persisted data go. @default <repo>/.local */
  readonly stateDir?: string;
  /** @default <repo>/local/risk-policy.json */
  readonly riskPolicyFile?: string;
}

/** Reads `PORT`, `LOCAL_POOL_MFA`, `LOCAL_STATE_DIR`, `RISK_POLICY_FILE` and `--persist`; throws a message that says what to change. */
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
  const unknown = argv.filter((arg) => arg !== '--persist');
  if (unknown.length > 0)
    throw new Error(`unknown argument(s): ${unknown.join(' ')} (only --persist is known)`);
  return {
    port,
    poolMfa,
    persist: argv.includes('--persist'),
    ...(env.LOCAL_STATE_DIR ? { stateDir: env.LOCAL_STATE_DIR } : {}),
    ...(env.RISK_POLICY_FILE ? { riskPolicyFile: env.RISK_POLICY_FILE } : {}),
  };
}
