/**
 * HeadObject reads the metadata record only: sizes, ETag and SSE fields are kept in clear
 * so that HEAD never calls the KMS.
 */
import { objectResponseHeaders } from '../s3/object-headers.js';
import type { Operation } from './operation.js';
import { headerValue } from '../http/headers.js';
import { parseRangeHeader } from '../s3/range-header.js';
import { refuseSseHeadersOnRead } from '../s3/sse-headers.js';
import { requireSigV4ForKms } from '../auth/index.js';
import { assertContextNamesObject, parseMetadata } from '../sse/index.js';

export const HeadObject: Operation = async ({ bucket, key, deps, headers, auth }) => {
  refuseSseHeadersOnRead(headers);
  const { metadata } = await deps.store.headObject(bucket, key);
  const meta = parseMetadata(metadata);
  if (meta.sse === 'aws:kms') requireSigV4ForKms(auth);
  assertContextNamesObject(meta.encryptionContext, bucket, key);
  const range = parseRangeHeader(headerValue(headers, 'range'), meta.plaintextSize);
  const responseHeaders = objectResponseHeaders(meta, { checksumMode: headerValue(headers, 'x-amz-checksum-mode') === 'ENABLED', full: range === undefined });
  responseHeaders['Content-Length'] = String(range ? range.end - range.start + 1 : meta.plaintextSize);
  if (range) responseHeaders['Content-Range'] = `bytes ${range.start}-${range.end}/${meta.plaintextSize}`;
  return { status: range ? 206 : 200, headers: responseHeaders };
};
