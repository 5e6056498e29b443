/**
 * The SSE request headers of PutObject, and the rule that GET and HEAD take none.
 *
 * No header (or AES256) means SSE-S3: encrypted just the same, under a gateway-owned key,
 * as Amazon S3 does for every object since 2023. `aws:kms` without a key id means the AWS
 * managed key `alias/aws/s3`, created on first use.
 */
import { createHash } from 'node:crypto';
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import type { IncomingHttpHeaders } from 'node:http';

export const SSE = 'x-amz-server-side-encryption';
export const SSE_KMS_KEY_ID = 'x-amz-server-side-encryption-aws-kms-key-id';
export const SSE_CONTEXT = 'x-amz-server-side-encryption-context';
export const SSE_BUCKET_KEY = 'x-amz-server-side-encryption-bucket-key-enabled';
const SSE_C_ALGORITHM = 'x-amz-server-side-encryption-customer-algorithm';
const SSE_C_KEY = 'x-amz-server-side-encryption-customer-key';
const SSE_C_KEY_MD5 = 'x-amz-server-side-encryption-customer-key-md5';
const SSE_C = [SSE_C_ALGORITHM, SSE_C_KEY, SSE_C_KEY_MD5];
const SSE_C_PREFIX = 'Requests specifying Server Side Encryption with Customer provided keys must provide ';

export const AWS_MANAGED_S3_KEY = 'alias/aws/s3';

export type SseRequest =
  | { sse: 'AES256' }
  | { sse: 'aws:kms'; keyId: string; contextHeader?: string };

function kmsKeyWithoutKms(algorithm: string | undefined): S3Error {
  return new S3Error(
    'InvalidArgument',
    'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
    { ArgumentName: SSE, ArgumentValue: algorithm ?? 'null' },
  );
}

function customerKeyError(message: string, value = 'null', code: 'InvalidArgument' | 'InvalidEncryptionAlgorithmError' = 'InvalidArgument'): S3Error {
  return new S3Error(code, message, { ArgumentName: SSE, ArgumentValue: value });
}

/**
 * SSE-C headers checked in the order Amazon S3 checks them, before anything else answers
 * (recorded answers of S3, compiled from SDK bug reports and emulators' AWS-validated captures):
 * SSE-C beside `x-amz-server-side-encryption`; key or MD5 without the algorithm; an algorithm
 * other than AES256 (`InvalidEncryptionAlgorithmError`); no key; no MD5 (best match: S3's
 * answer is unrecorded); an MD5 that is not of the key (checked before the key's length, as
 * S3 does); a key that is not 256 bits. Returns whether the request carries SSE-C at all.
 */
function checkCustomerKeyHeaders(headers: IncomingHttpHeaders): boolean {
  if (!SSE_C.some((name) => headers[name] !== undefined)) return false;
  const algorithm = headerValue(headers, SSE_C_ALGORITHM);
  const key = headerValue(headers, SSE_C_KEY);
  const keyMd5 = headerValue(headers, SSE_C_KEY_MD5);
  const sse = headerValue(headers, SSE);
  if (sse !== undefined) throw customerKeyError('Server Side Encryption with Customer provided key is incompatible with the encryption method specified', sse);
  // A KMS key id or context beside SSE-C: the answer S3 gives them without aws:kms (best match).
  if (headers[SSE_KMS_KEY_ID] !== undefined || headers[SSE_CONTEXT] !== undefined) throw kmsKeyWithoutKms(undefined);
  if (algorithm === undefined) throw customerKeyError(`${SSE_C_PREFIX}a valid encryption algorithm.`);
  if (algorithm !== 'AES256') throw customerKeyError('The Encryption request you specified is not valid. Supported value: AES256.', algorithm, 'InvalidEncryptionAlgorithmError');
  if (key === undefined) throw customerKeyError(`${SSE_C_PREFIX}an appropriate secret key.`);
  if (keyMd5 === undefined) throw customerKeyError(`${SSE_C_PREFIX}the client calculated MD5 of the secret key.`);
  const keyBytes = Buffer.from(key, 'base64');
  try {
    const digest = createHash('md5').update(keyBytes).digest('base64');
    if (digest !== keyMd5) throw customerKeyError('The calculated MD5 hash of the key did not match the hash that was provided.');
    if (keyBytes.length !== 32 || keyBytes.toString('base64') !== key) throw customerKeyError('The secret key was invalid for the specified algorithm.');
  } finally {
    keyBytes.fill(0);
  }
  return true;
}

export function parseSseRequest(headers: IncomingHttpHeaders): SseRequest {
  if (checkCustomerKeyHeaders(headers)) {
    throw new S3Error('NotImplemented', 'Server-side encryption with customer-provided keys (SSE-C) is not implemented by this gateway.', { Header: SSE_C_ALGORITHM });
  }
  const algorithm = headerValue(headers, SSE);
  const keyId = headerValue(headers, SSE_KMS_KEY_ID);
  const context = headerValue(headers, SSE_CONTEXT);
  const bucketKey = headerValue(headers, SSE_BUCKET_KEY);
  if (bucketKey !== undefined && !/^(true|false)$/i.test(bucketKey)) {
    throw new S3Error('InvalidArgument', 'The bucket key setting must be true or false.', { ArgumentName: SSE_BUCKET_KEY, ArgumentValue: bucketKey });
  }
  if (algorithm === undefined || algorithm === 'AES256') {
    if (keyId !== undefined || context !== undefined) throw kmsKeyWithoutKms(algorithm);
    return { sse: 'AES256' };
  }
  if (algorithm === 'aws:kms:dsse') {
    throw new S3Error('NotImplemented', 'Dual-layer server-side encryption (aws:kms:dsse) is not implemented by this gateway.', { Header: SSE });
  }
  if (algorithm !== 'aws:kms') {
    throw new S3Error('InvalidArgument', 'The encryption method specified is not supported', { ArgumentName: SSE, ArgumentValue: algorithm });
  }
  return { sse: 'aws:kms', keyId: keyId === undefined || keyId === '' ? AWS_MANAGED_S3_KEY : keyId, contextHeader: context };
}

/** GetObject and HeadObject accept no SSE-S3/SSE-KMS headers: the object knows its key. */
export function refuseSseHeadersOnRead(headers: IncomingHttpHeaders): void {
  for (const name of [SSE, SSE_KMS_KEY_ID, SSE_CONTEXT, SSE_BUCKET_KEY]) {
    if (headers[name] !== undefined) {
      throw new S3Error('InvalidArgument', `${name} header is not supported for this operation.`, { ArgumentName: name, ArgumentValue: headerValue(headers, name) ?? '' });
    }
  }
  // A well-formed SSE-C read names a key no object here was stored under (none is SSE-C).
  if (checkCustomerKeyHeaders(headers)) {
    throw new S3Error('InvalidRequest', 'The encryption parameters are not applicable to this object.');
  }
}
