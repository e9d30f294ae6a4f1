/** An error answered in AWS JSON 1.1 form: `{"__type": name, "message": ...}`. */
export class CognitoError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const notAuthorized = (message = 'Incorrect username or password.') =>
  new CognitoError('NotAuthorizedException', message);
export const invalidParameter = (message: string) => new CognitoError('InvalidParameterException', message);
export const resourceNotFound = (message: string) => new CognitoError('ResourceNotFoundException', message);
export const userNotFound = () => new CognitoError('UserNotFoundException', 'User does not exist.');

/** Throws InvalidParameterException unless every named field is a non-empty string. */
export function requireStrings(body: Record<string, unknown>, ...names: string[]): void {
  for (const name of names) {
    const value = body[name];
    if (typeof value !== 'string' || value.length === 0) {
      throw invalidParameter(
        `1 validation error detected: Value at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`,
      );
    }
  }
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
