import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../../local/stack';
import type { StackInfo } from '../../local/stack-info';
import { EMITTED_METRICS_FILE, keepAwsCalls, RECORDED_AWS_CALLS_FILE } from './own-stack';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

/** Starts one local stack for the `local` tier, on free ports and a throw-away state folder. */
export default async function setup(project: TestProject) {
  const stateDir = mkdtempSync(join(tmpdir(), 'totp-recovery-test-'));
  const stack = await startLocalStack({
    port: 0,
    stateDir,
    poolMfa: 'ON',
    recordAwsCalls: true,
    functionEnvironment: { CODE_TTL_SECONDS: '12', IP_REQUEST_LIMIT: '20', APPROVAL_TIMEOUT_SECONDS: '10' },
  });
  project.provide('stack', stack.info);
  // A fresh record of the metrics this run emits (own stacks add theirs as they stop).
  rmSync(EMITTED_METRICS_FILE, { force: true });
  rmSync(RECORDED_AWS_CALLS_FILE, { force: true });
  return async () => {
    await stack.stop();
    // The whole run's calls in one file (test-results/aws-calls.jsonl), for reading after the run.
    keepAwsCalls(stack.info.logFile);
    rmSync(stateDir, { recursive: true, force: true });
  };
}
