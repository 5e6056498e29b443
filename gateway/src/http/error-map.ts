/**
 * The one mapping from typed internal errors (kms-core, storage, the object format) to
 * S3 error codes. Unknown errors become InternalError and their text never reaches the client.
 */
import { KmsError, type KmsErrorType } from '@kmsgate/kms-core';
import {
  BucketExistsError,
  BucketNotEmptyError,
  KeyTooLongError,
  NoSuchBucketError,
  NoSuchKeyError,
} from '@kmsgate/storage';
import { ClientGoneError } from './body.js';
import { S3Error, type S3ErrorCode } from './errors.js';
import { IntegrityError, PlaintextLengthError } from '../sse/errors.js';

/**
 * What each KMS exception becomes inside an S3 request. A `Record` over every KMS error type,
 * so a new one cannot reach a client unmapped. The caller's mistakes (a bad key id, a
 * disabled key, a key id over 2048 characters) are 400 `KMS.<exception>` as AWS answers;
 * a 500 would make every SDK retry. Only a stored wrapped key that kms-core cannot open
 * (damaged or foreign data) and kms-core's own failure are ours.
 */
const KMS_IN_S3: Record<KmsErrorType, S3ErrorCode | 'integrity' | 'internal'> = {
  NotFoundException: 'KMS.NotFoundException',
  DisabledException: 'KMS.DisabledException',
  KMSInvalidStateException: 'KMS.KMSInvalidStateException',
  InvalidKeyUsageException: 'KMS.InvalidKeyUsageException',
  ValidationException: 'KMS.ValidationException',
  UnsupportedOperationException: 'KMS.UnsupportedOperationException',
  LimitExceededException: 'KMS.LimitExceededException',
  AlreadyExistsException: 'KMS.AlreadyExistsException',
  InvalidAliasNameException: 'KMS.InvalidAliasNameException',
  MalformedPolicyDocumentException: 'KMS.MalformedPolicyDocumentException',
  InvalidMarkerException: 'KMS.InvalidMarkerException',
  UnknownOperationException: 'KMS.UnknownOperationException',
  TagException: 'KMS.TagException',
  DryRunOperationException: 'KMS.DryRunOperationException',
  InvalidImportTokenException: 'KMS.InvalidImportTokenException',
  ExpiredImportTokenException: 'KMS.ExpiredImportTokenException',
  IncorrectKeyMaterialException: 'KMS.IncorrectKeyMaterialException',
  AccessDeniedException: 'AccessDenied',
  NotAuthorizedException: 'AccessDenied',
  InvalidCiphertextException: 'integrity',
  IncorrectKeyException: 'integrity',
  KMSInternalException: 'internal',
};

export interface MappedError {
  error: S3Error;
  /** An unexpected failure, ours or the stored data's: log it loudly, with its stack. */
  internal: boolean;
  /** Stored bytes failed authentication. */
  integrity: boolean;
}

export function toS3Error(err: unknown): MappedError {
  // An S3Error is a deliberate answer (NotImplemented, ServiceUnavailable included), never a fault.
  if (err instanceof S3Error) return clientError(err);
  if (err instanceof KmsError) {
    const outcome = KMS_IN_S3[err.type];
    if (outcome === 'internal') return { error: new S3Error('InternalError'), internal: true, integrity: false };
    if (outcome === 'integrity') return { error: new S3Error('InternalError'), internal: true, integrity: true };
    return clientError(new S3Error(outcome, err.message === '' ? undefined : err.message));
  }
  if (err instanceof NoSuchBucketError) return clientError(new S3Error('NoSuchBucket', undefined, { BucketName: err.bucket }));
  if (err instanceof NoSuchKeyError) return clientError(new S3Error('NoSuchKey', undefined, { Key: err.key }));
  if (err instanceof BucketNotEmptyError) return clientError(new S3Error('BucketNotEmpty', undefined, { BucketName: err.bucket }));
  if (err instanceof BucketExistsError) return clientError(new S3Error('BucketAlreadyOwnedByYou', undefined, { BucketName: err.bucket }));
  if (err instanceof KeyTooLongError) return clientError(new S3Error('KeyTooLongError', undefined, { Size: Buffer.byteLength(err.key), MaxSizeAllowed: 1024 }));
  if (err instanceof PlaintextLengthError) return clientError(new S3Error('IncompleteBody'));
  if (err instanceof ClientGoneError) return clientError(new S3Error('IncompleteBody'));
  if (err instanceof IntegrityError) return { error: new S3Error('InternalError'), internal: true, integrity: true };
  return { error: new S3Error('InternalError'), internal: true, integrity: false };
}

function clientError(error: S3Error): MappedError {
  return { error, internal: false, integrity: false };
}
