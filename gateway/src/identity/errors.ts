/**
 * What the identity store refuses, named by the IAM error code a client is answered with
 * (the store is the IAM model; gateway/src/iam/iam-errors.ts gives each its HTTP status).
 */
export type IdentityErrorCode =
  | 'NoSuchEntity'
  | 'EntityAlreadyExists'
  | 'DeleteConflict'
  | 'LimitExceeded'
  | 'ValidationError'
  | 'MalformedPolicyDocument';

export class IdentityError extends Error {
  override readonly name = 'IdentityError';

  constructor(readonly code: IdentityErrorCode, message: string) {
    super(message);
  }
}

/** IAM's request-validation wording for a parameter that breaks its pattern or length. */
export function checkParameter(member: string, value: string, pattern: RegExp, min: number, max: number): void {
  if (value.length < min || value.length > max) {
    throw new IdentityError('ValidationError', `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have length ${value.length < min ? 'greater than or equal to ' + min : 'less than or equal to ' + max}`);
  }
  if (!pattern.test(value)) {
    throw new IdentityError('ValidationError', `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern.source.replace(/^\^|\$$/g, '')}`);
  }
}
