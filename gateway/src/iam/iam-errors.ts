/**
 * IAM's error codes and their HTTP statuses: the one place an identity-store refusal or an
 * IAM protocol failure gets its status (the S3 and KMS endpoints have their own catalogues).
 */
import type { IdentityErrorCode } from '../identity/errors.js';

const STATUS: Record<IdentityErrorCode, number> = {
  NoSuchEntity: 404,
  EntityAlreadyExists: 409,
  DeleteConflict: 409,
  LimitExceeded: 409,
  ValidationError: 400,
  MalformedPolicyDocument: 400,
};

export function iamStatus(code: IdentityErrorCode): number {
  return STATUS[code];
}

/** A failure answered as it is: code, message, status. */
export class IamWireError extends Error {
  override readonly name = 'IamWireError';

  constructor(readonly code: string, message: string, readonly status: number) {
    super(message);
  }
}
