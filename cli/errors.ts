/** A failure the CLI explains in one line and exits on; `exitCode` 1 = refused or failed, 2 = usage. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}
