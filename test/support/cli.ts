import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../cli/main';
import type { StackInfo } from '../../local/stack-info';

/** Runs `totp-recovery` in-process against a stack description, as `--stack-file` would give it. */
export function cliFor(stack: StackInfo) {
  const dir = mkdtempSync(join(tmpdir(), 'totp-recovery-cli-'));
  const stackFile = join(dir, 'stack.json');
  writeFileSync(stackFile, JSON.stringify(stack));
  const run = async (args: readonly string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['--stack-file', stackFile, ...args], {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      env: {},
      cwd: dir,
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  /** The folder the CLI runs in (relative --output files land here). */
  return Object.assign(run, { cwd: dir });
}
