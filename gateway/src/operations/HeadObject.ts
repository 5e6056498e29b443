/**
 * HeadObject reads the metadata record only: sizes, ETag and SSE fields are kept in clear
 * so that HEAD never calls the KMS.
 */
import { requireSigV4ForKms } from '../auth/index.js';
import { headerValue } from '../http/headers.js';
import { readConditionResult } from '../s3/conditionals.js';
import { readResponseHeaders } from '../s3/object-headers.js';
import { parseRangeHeader } from '../s3/range-header.js';
import { responseOverrides } from '../s3/response-overrides.js';
import { refuseSseHeadersOnRead } from '../s3/sse-headers.js';
import { readObjectRecord } from '../sse/index.js';
import { partSelection, readPartNumber } from '../s3/multipart.js';
import type { Operation } from './operation.js';

export const HeadObject: Operation = async (ctx) => {
  const { bucket, key, deps, headers } = ctx;
  refuseSseHeadersOnRead(headers);
  const overrides = responseOverrides(ctx.query, ctx.auth);
  const meta = await readObjectRecord(deps.store, bucket, key);
  if (meta.sse === 'aws:kms') requireSigV4ForKms(ctx.auth);
  const notModified = readConditionResult(headers, meta);
  if (notModified) return notModified;
  const partNumber = readPartNumber(ctx.query, headerValue(headers, 'range'));
  const part = partNumber === undefined ? undefined : partSelection(meta, partNumber, headerValue(headers, 'x-amz-checksum-mode') === 'ENABLED');
  const range = part ? part.range : parseRangeHeader(headerValue(headers, 'range'), meta.plaintextSize);
  return { status: range ? 206 : 200, headers: { ...readResponseHeaders(meta, headers, range), ...part?.headers, ...overrides } };
};
