/**
 * HeadObject reads the metadata record only: sizes, ETag and SSE fields are kept in clear
 * so that HEAD never calls the KMS.
 */
import { objectResponseHeaders } from '../s3/object-headers.js';
import type { Operation } from './operation.js';
import { headerValue } from '../http/headers.js';
import { parseRangeHeader } from '../s3/range-header.js';
import { refuseSseHeadersOnRead } from '../s3/sse-headers.js';
import { readConditionResult } from '../s3/conditionals.js';
import { responseOverrides } from '../s3/response-overrides.js';
import { assertContextNamesObject, parseMetadata } from '../sse/index.js';

export const HeadObject: Operation = async ({ bucket, key, deps, headers, query, auth }) => {
  refuseSseHeadersOnRead(headers);
  const overrides = responseOverrides(query, auth);
  const { metadata } = await deps.store.headObject(bucket, key);
  const meta = parseMetadata(metadata);
  assertContextNamesObject(meta.encryptionContext, bucket, key);
  const notModified = readConditionResult(headers, meta);
  if (notModified) return notModified;
  const range = parseRangeHeader(headerValue(headers, 'range'), meta.plaintextSize);
  const responseHeaders = { ...objectResponseHeaders(meta, { checksumMode: headerValue(headers, 'x-amz-checksum-mode') === 'ENABLED', full: range === undefined }), ...overrides };
  responseHeaders['Content-Length'] = String(range ? range.end - range.start + 1 : meta.plaintextSize);
  if (range) responseHeaders['Content-Range'] = `bytes ${range.start}-${range.end}/${meta.plaintextSize}`;
  return { status: range ? 206 : 200, headers: responseHeaders };
};
