/**
 * The SSE request headers of PutObject, and the rule that GET and HEAD take none.
 *
 * No header (or AES256) means SSE-S3: encrypted just the same, under a gateway-owned key,
 * as Amazon S3 does for every object since 2023. `aws:kms` without a key id means the AWS
 * managed key `alias/aws/s3`, created on first use.
 */
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import type { IncomingHttpHeaders } from 'node:http';

export const SSE = 'x-amz-server-side-encryption';
export const SSE_KMS_KEY_ID = 'x-amz-server-side-encryption-aws-kms-key-id';
export const SSE_CONTEXT = 'x-amz-server-side-encryption-context';
export const SSE_BUCKET_KEY = 'x-amz-server-side-encryption-bucket-key-enabled';
const SSE_C = [
  'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-server-side-encryption-customer-key',
  'x-amz-server-side-encryption-customer-key-md5',
];

export const AWS_MANAGED_S3_KEY = 'alias/aws/s3';

export type SseRequest =
  | { sse: 'AES256' }
  | { sse: 'aws:kms'; keyId: string; contextHeader?: string };

export function parseSseRequest(headers: IncomingHttpHeaders): SseRequest {
  if (SSE_C.some((name) => headers[name] !== undefined)) {
    throw new S3Error('NotImplemented', 'Server-side encryption with customer-provided keys (SSE-C) is not implemented by this gateway.', { Header: SSE_C[0]! });
  }
  const algorithm = headerValue(headers, SSE);
  const keyId = headerValue(headers, SSE_KMS_KEY_ID);
  const context = headerValue(headers, SSE_CONTEXT);
  const bucketKey = headerValue(headers, SSE_BUCKET_KEY);
  if (bucketKey !== undefined && !/^(true|false)$/i.test(bucketKey)) {
    throw new S3Error('InvalidArgument', 'The bucket key setting must be true or false.', { ArgumentName: SSE_BUCKET_KEY, ArgumentValue: bucketKey });
  }
  if (algorithm === undefined || algorithm === 'AES256') {
    if (keyId !== undefined || context !== undefined) {
      throw new S3Error(
        'InvalidArgument',
        'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
        { ArgumentName: SSE, ArgumentValue: algorithm ?? 'null' },
      );
    }
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
  if (SSE_C.some((name) => headers[name] !== undefined)) {
    throw new S3Error('InvalidRequest', 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.');
  }
}
