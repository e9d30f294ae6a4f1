/** An error answered in AWS JSON 1.0 form, and the error a Task fails with inside an execution. */
export class SfnError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

/** A task failure as Step Functions names it (`error`) with its `cause`. */
export class TaskFailure extends Error {
  constructor(
    override readonly name: string,
    readonly causeText: string,
  ) {
    super(causeText);
  }
}
