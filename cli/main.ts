import { Command, CommanderError } from 'commander';
import { registerAuditCommands } from './audit';
import { CliError } from './errors';
import type { CliIo } from './output';
import { registerPreflightCommand } from './preflight';
import { registerSupportCommands } from './support';

/** The `totp-recovery` program; built per run so tests can drive it in-process. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('totp-recovery')
    .description(
      'Tools for cognito-totp-recovery: support decisions, the audit trail, and a preflight of an account before deploying',
    )
    .option('--stack-file <path>', 'local stack description', '.local/stack.json')
    .option('--api-url <url>', 'a deployed stack: its API URL (then also --region, --client-id, --username)')
    .option('--region <region>', 'AWS region of the deployed stack')
    .option('--client-id <id>', 'the staff app client id (stack output StaffClientId)')
    .option('--username <name>', 'staff account; the password comes from TOTP_RECOVERY_PASSWORD')
    .option('--totp-code <code>', 'current code of your authenticator (or TOTP_RECOVERY_TOTP_CODE)')
    .option('--json', 'machine-readable output')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.trimEnd()),
      writeErr: (text) => io.err(text.trimEnd()),
    });
  registerSupportCommands(program, io);
  registerAuditCommands(program, io);
  registerPreflightCommand(program, io);
  return program;
}

/** Runs the CLI and resolves its exit code: 0 done, 1 refused or failed, 2 usage. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync(args, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof CliError) {
      io.err(`totp-recovery: ${error.message}`);
      return error.exitCode;
    }
    io.err(`totp-recovery: unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
