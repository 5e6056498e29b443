// Typed KMS errors. `type` is the AWS exception name that goes into the JSON `__type`, and
// every client error is HTTP 400: real KMS (awsJson1_1) answers 400 even where the Smithy model
// says 404/409 for NotFound, Disabled or KMSInvalidState.

export type KmsErrorType =
  | 'NotFoundException'
  | 'DisabledException'
  | 'KMSInvalidStateException'
  | 'InvalidCiphertextException'
  | 'IncorrectKeyException'
  | 'InvalidKeyUsageException'
  | 'ValidationException'
  | 'AlreadyExistsException'
  | 'InvalidAliasNameException'
  // CreateAlias with a reserved `alias/aws/` name: AWS answers NotAuthorizedException.
  | 'NotAuthorizedException'
  | 'MalformedPolicyDocumentException'
  | 'AccessDeniedException'
  | 'UnsupportedOperationException'
  | 'InvalidMarkerException'
  | 'UnknownOperationException'
  | 'KMSInternalException'
  | 'LimitExceededException'
  | 'TagException'
  | 'DryRunOperationException'
  | 'InvalidImportTokenException'
  | 'ExpiredImportTokenException'
  | 'IncorrectKeyMaterialException';

const SERVER_ERRORS: ReadonlySet<KmsErrorType> = new Set<KmsErrorType>(['KMSInternalException']);

export class KmsError extends Error {
  readonly type: KmsErrorType;
  readonly httpStatus: number;

  constructor(type: KmsErrorType, message: string) {
    super(message);
    this.name = type;
    this.type = type;
    this.httpStatus = SERVER_ERRORS.has(type) ? 500 : 400;
  }
}

/** Precondition at a trust boundary: throws the given KMS error when `cond` is false. */
export function needs(cond: unknown, type: KmsErrorType, message: string): asserts cond {
  if (!cond) throw new KmsError(type, message);
}

/** Tampered, truncated or foreign ciphertext: AWS sends an empty message so nothing leaks. */
export function invalidCiphertext(): KmsError {
  return new KmsError('InvalidCiphertextException', '');
}

/** What a DryRun request answers once every check has passed (AWS records it as 400). */
export function dryRunSucceeded(): KmsError {
  return new KmsError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
}
