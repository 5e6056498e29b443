/**
 * The one mapping from typed internal errors (kms-core, storage, the object format) to
 * S3 error codes. Unknown errors become InternalError and their text never reaches the client.
 */
import { KmsError } from '@kmsgate/kms-core';
import {
  BucketExistsError,
  BucketNotEmptyError,
  KeyTooLongError,
  NoSuchBucketError,
  NoSuchKeyError,
} from '@kmsgate/storage';
import { ClientGoneError } from './body.js';
import { S3Error } from './errors.js';
import { IntegrityError, PlaintextLengthError } from '../sse/errors.js';

/** KMS exceptions S3 passes through as `KMS.<name>` (400), as AWS documents. */
const KMS_PASSTHROUGH = {
  NotFoundException: 'KMS.NotFoundException',
  DisabledException: 'KMS.DisabledException',
  KMSInvalidStateException: 'KMS.KMSInvalidStateException',
  InvalidKeyUsageException: 'KMS.InvalidKeyUsageException',
} as const;

export interface MappedError {
  error: S3Error;
  /** The failure is ours or the stored data's, not the client's: log it loudly. */
  internal: boolean;
  /** Stored bytes failed authentication. */
  integrity: boolean;
}

export function toS3Error(err: unknown): MappedError {
  if (err instanceof S3Error) return { error: err, internal: err.status >= 500, integrity: false };
  if (err instanceof KmsError) {
    const passthrough = KMS_PASSTHROUGH[err.type as keyof typeof KMS_PASSTHROUGH];
    if (passthrough) return { error: new S3Error(passthrough, err.message), internal: false, integrity: false };
    if (err.type === 'AccessDeniedException') return { error: new S3Error('AccessDenied', err.message), internal: false, integrity: false };
    // A stored wrapped key that kms-core cannot open is damaged data, not a client error.
    return { error: new S3Error('InternalError'), internal: true, integrity: err.type === 'InvalidCiphertextException' };
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
