import { describe, it, expect } from '@jest/globals';
import { KmsError, type KmsErrorType } from '@kmsgate/kms-core';
import { S3Error } from './errors.js';
import { toS3Error } from './error-map.js';

const KMS_TYPES: KmsErrorType[] = [
  'NotFoundException', 'DisabledException', 'KMSInvalidStateException', 'InvalidCiphertextException', 'IncorrectKeyException',
  'InvalidKeyUsageException', 'ValidationException', 'AlreadyExistsException', 'InvalidAliasNameException', 'NotAuthorizedException',
  'MalformedPolicyDocumentException', 'AccessDeniedException', 'UnsupportedOperationException', 'InvalidMarkerException',
  'UnknownOperationException', 'KMSInternalException', 'LimitExceededException',
];
/** Damaged stored keys and kms-core's own failure: the only KMS errors that are ours. */
const OURS: KmsErrorType[] = ['InvalidCiphertextException', 'IncorrectKeyException', 'KMSInternalException'];

describe('KMS exceptions inside S3 requests', () => {
  it.each(KMS_TYPES.filter((t) => !OURS.includes(t)))('%s is a 4xx carrying the KMS message', (type) => {
    const mapped = toS3Error(new KmsError(type, `why ${type}`));
    expect(mapped.internal).toBe(false);
    expect(mapped.error.status).toBeGreaterThanOrEqual(400);
    expect(mapped.error.status).toBeLessThan(500);
    expect(mapped.error.message).toBe(`why ${type}`);
    if (!type.includes('AccessDenied') && type !== 'NotAuthorizedException') expect(mapped.error.code).toBe(`KMS.${type}`);
  });

  it.each(OURS)('%s is a 500 that leaks nothing', (type) => {
    const mapped = toS3Error(new KmsError(type, 'secret detail'));
    expect(mapped).toMatchObject({ internal: true, error: { code: 'InternalError', status: 500 } });
    expect(mapped.error.message).not.toContain('secret');
  });
});

describe('deliberate answers', () => {
  it('an S3Error, 501 and 503 included, is never an internal fault', () => {
    for (const code of ['NotImplemented', 'ServiceUnavailable', 'NoSuchKey'] as const) expect(toS3Error(new S3Error(code)).internal).toBe(false);
    expect(toS3Error(new Error('boom'))).toMatchObject({ internal: true, error: { code: 'InternalError' } });
  });
});
