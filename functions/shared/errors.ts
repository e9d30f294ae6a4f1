/**
 * The one error hierarchy of the product. `name` is set explicitly on every class because the
 * state machine's Retry/Catch match on it and bundlers may rename classes.
 */
export class RecoveryError extends Error {
  override name = 'RecoveryError';
  /** Stable machine-readable code returned to API callers. */
  readonly code: string = 'RECOVERY_ERROR';
  /** HTTP status when the error reaches an API caller. */
  readonly status: number = 500;
}

/** The request is malformed: bad JSON, wrong types, unknown fields, bad path parameters. */
export class InvalidRequestError extends RecoveryError {
  override name = 'InvalidRequestError';
  override readonly code = 'INVALID_REQUEST';
  override readonly status = 400;
  constructor(
    message: string,
    readonly fields: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export class PayloadTooLargeError extends RecoveryError {
  override name = 'PayloadTooLargeError';
  override readonly code = 'PAYLOAD_TOO_LARGE';
  override readonly status = 413;
}

/** Wrong password or unknown user: the same answer a login page gives. */
export class AuthenticationFailedError extends RecoveryError {
  override name = 'AuthenticationFailedError';
  override readonly code = 'AUTHENTICATION_FAILED';
  override readonly status = 401;
  constructor() {
    super('Incorrect username or password.');
  }
}

export class RateLimitedError extends RecoveryError {
  override name = 'RateLimitedError';
  override readonly code = 'RATE_LIMITED';
  override readonly status = 429;
  constructor(readonly retryAfterSeconds: number) {
    super('Too many requests. Try again later.');
  }
}

/** Expired, used, locked, cancelled or unknown: one indistinguishable answer. */
export class RecoveryGoneError extends RecoveryError {
  override name = 'RecoveryGoneError';
  override readonly code = 'RECOVERY_GONE';
  override readonly status = 410;
  constructor() {
    super('This recovery request is no longer active.');
  }
}

export class RecoveryNotFoundError extends RecoveryError {
  override name = 'RecoveryNotFoundError';
  override readonly code = 'NOT_FOUND';
  override readonly status = 404;
}

/** No valid staff token: the JWT authorizer's answer. */
export class UnauthenticatedError extends RecoveryError {
  override name = 'UnauthenticatedError';
  override readonly code = 'UNAUTHENTICATED';
  override readonly status = 401;
}

/** A valid token without the right group, or a support person deciding about their own account. */
export class ForbiddenError extends RecoveryError {
  override name = 'ForbiddenError';
  override readonly code = 'FORBIDDEN';
  override readonly status = 403;
}

/** The approval was already decided the other way, or concurrently. */
export class DecisionConflictError extends RecoveryError {
  override name = 'DecisionConflictError';
  override readonly code = 'ALREADY_DECIDED';
  override readonly status = 409;
}

export class WrongCodeError extends RecoveryError {
  override name = 'WrongCodeError';
  override readonly code = 'WRONG_CODE';
  override readonly status = 400;
  constructor(readonly attemptsLeft: number) {
    super('That code is not right.');
  }
}

/**
 * A waiting step found its request already moved on (cancelled, decided, retried after a decision):
 * it does not wait, and the workflow goes straight to Advance, which follows the recorded state.
 */
export class RequestNotWaitingError extends RecoveryError {
  override name = 'RequestNotWaiting';
}

/** A password-proven user asked for a recovery of an account that has no authenticator to remove. */
export class NoAuthenticatorError extends RecoveryError {
  override name = 'NoAuthenticatorError';
  override readonly code = 'NO_AUTHENTICATOR';
  override readonly status = 409;
  constructor() {
    super('This account has no authenticator app to remove. Sign in with your password.');
  }
}

/** The pool cannot have its TOTP factor removed by any available API (MFA required, no AdminDeleteSoftwareToken). */
export class TotpResetUnsupportedError extends RecoveryError {
  override name = 'TotpResetUnsupported';
  override readonly code = 'TOTP_RESET_UNSUPPORTED';
}

/** A dependency failed in a way worth retrying (throttling, 5xx, timeouts); the workflow retries it. */
export class TransientDependencyError extends RecoveryError {
  override name = 'TransientDependencyError';
}

/**
 * The product's share of a Cognito request-rate quota is spent for this second (domain/cognito-budget.ts):
 * no Cognito call was made. The API answers 429 with Retry-After; a workflow step fails with the name
 * the state machine retries on, so Step Functions backs off and runs it again.
 */
export class CognitoBudgetSpentError extends TransientDependencyError {
  // The workflow's Retry blocks match on this name: a spent budget is retried like a throttle.
  override name = 'TransientDependencyError';
  readonly retryAfterSeconds = 1;
  constructor(readonly categories: readonly string[]) {
    super(`the Cognito budget is spent this second (${categories.join(', ')})`);
  }
}

/** The removal call answered success but reading the user back still shows a TOTP factor. */
export class TotpStillPresentError extends RecoveryError {
  override name = 'TotpStillPresent';
  override readonly code = 'TOTP_STILL_PRESENT';
}

/** A configuration value is missing or invalid; raised at cold start. */
export class ConfigError extends RecoveryError {
  override name = 'ConfigError';
  override readonly code = 'CONFIG_ERROR';
}
