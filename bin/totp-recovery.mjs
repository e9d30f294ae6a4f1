#!/usr/bin/env node
// Entry of the `totp-recovery` command: runs the TypeScript sources through tsx, as `npm start` does.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../cli/main.ts');
const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = code;
