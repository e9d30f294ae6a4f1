import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { functionCatalog } from '../functions/catalog';
import { percentile } from './stats';

// The same esbuild settings as the CDK NodejsFunction bundling (infra/): one minified ESM file per
// function, Node.js 24, names kept so Step Functions can match errors by name.
const BUNDLE_OPTIONS = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  keepNames: true,
  banner: {
    js: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
  },
  logLevel: 'silent',
} as const;

// Enough configuration for every function's cold start; nothing here is called.
const FAKE_ENVIRONMENT = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  RECOVERY_TABLE_NAME: 'recoveries',
  AUDIT_TABLE_NAME: 'audit',
  USER_POOL_ID: 'eu-west-1_AbC123xyz',
  STAFF_USER_POOL_ID: 'eu-west-1_AbC123xyz',
  PASSWORD_PROOF_CLIENT_ID: 'proof',
  STAFF_CLIENT_ID: 'staff',
  ENROLL_CLIENT_ID: 'enroll',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:000000000000:stateMachine:bench',
  FROM_ADDRESS: 'no-reply@example.com',
  SUPPORT_EMAIL: 'support@example.com',
  PUBLIC_BASE_URL: 'https://recovery.example.com',
  PEPPER_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:pepper',
  EVENT_BUS_NAME: 'bench',
};

/** Module init time of a bundle: median of 5 fresh Node processes importing it. */
function initTime(outfile: string): number {
  const script = `const t=performance.now();await import(${JSON.stringify(pathToFileURL(outfile).href)});process.stdout.write(String(performance.now()-t));`;
  const samples = Array.from({ length: 5 }, () =>
    Number(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH ?? '', ...FAKE_ENVIRONMENT },
        encoding: 'utf8',
      }),
    ),
  );
  return percentile(samples, 50);
}

/**
 * Bundles every function as CDK does (the AWS SDK inside, as shipped) and measures size and module
 * init time; then the alternative of using the SDK the Lambda runtime provides (bundled outside the
 * SDK, resolved from node_modules, as the runtime would).
 */
export async function measureBundles() {
  // Inside the repository, so a bundle without the SDK resolves it from node_modules.
  const root = join(import.meta.dirname, '..', 'node_modules', '.cache');
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(join(root, 'totp-recovery-bundles-'));
  try {
    const rows: {
      name: string;
      sizeKb: number;
      initMs: number;
      runtimeSdkKb: number;
      runtimeSdkInitMs: number;
    }[] = [];
    for (const [name, spec] of Object.entries(functionCatalog)) {
      const outfile = join(dir, name, 'index.mjs');
      const slim = join(dir, `${name}-runtime-sdk`, 'index.mjs');
      // The SDK's ES module builds, so unused commands and protocols are dropped.
      await build({ ...BUNDLE_OPTIONS, mainFields: ['module', 'main'], entryPoints: [spec.entry], outfile });
      await build({
        ...BUNDLE_OPTIONS,
        mainFields: ['module', 'main'],
        entryPoints: [spec.entry],
        outfile: slim,
        external: ['@aws-sdk/*', '@smithy/*'],
      });
      rows.push({
        name,
        sizeKb: statSync(outfile).size / 1024,
        initMs: initTime(outfile),
        runtimeSdkKb: statSync(slim).size / 1024,
        runtimeSdkInitMs: initTime(slim),
      });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
