import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import {
  awsCallsFileOf,
  type LocalStackOptions,
  type RunningLocalStack,
  startLocalStack,
} from '../../local/stack';

/**
 * A local stack of a test file's own, for settings the shared stack does not have; started before
 * the file's tests and stopped after them. Read `.current` inside tests.
 */
export function ownStack(options: Omit<LocalStackOptions, 'port' | 'stateDir'>) {
  const holder = {} as { current: RunningLocalStack };
  const stateDir = mkdtempSync(join(tmpdir(), 'totp-recovery-own-'));
  beforeAll(async () => {
    holder.current = await startLocalStack({ port: 0, stateDir, recordAwsCalls: true, ...options });
  });
  afterAll(async () => {
    await holder.current?.stop();
    if (holder.current) {
      keepEmittedMetrics(holder.current.info.logFile);
      keepAwsCalls(holder.current.info.logFile);
    }
    rmSync(stateDir, { recursive: true, force: true });
  });
  return holder;
}

/** Where the EMF blobs of every stack of the run are kept, for the run-wide alarm check (zz-*). */
export const EMITTED_METRICS_FILE = join(
  import.meta.dirname,
  '..',
  '..',
  'test-results',
  'emitted-metrics.jsonl',
);

/** Where the AWS calls every own stack of the run recorded are kept, for the run-wide IAM check (zz-*). */
export const RECORDED_AWS_CALLS_FILE = join(EMITTED_METRICS_FILE, '..', 'aws-calls.jsonl');

/** Keeps the AWS calls a stack's functions made, before its folder goes. */
export function keepAwsCalls(logFile: string): void {
  const file = awsCallsFileOf(logFile);
  if (!existsSync(file)) return;
  mkdirSync(join(RECORDED_AWS_CALLS_FILE, '..'), { recursive: true });
  appendFileSync(RECORDED_AWS_CALLS_FILE, readFileSync(file, 'utf8'));
}

/** Keeps the EMF blobs a stack's functions printed, before its folder goes. */
export function keepEmittedMetrics(logFile: string): void {
  if (!existsSync(logFile)) return;
  const blobs = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{"_aws"'));
  if (blobs.length === 0) return;
  mkdirSync(join(EMITTED_METRICS_FILE, '..'), { recursive: true });
  appendFileSync(EMITTED_METRICS_FILE, `${blobs.join('\n')}\n`);
}
