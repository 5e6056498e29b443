/**
 * GetObject: the object opened as authenticated plaintext (sse/object-reader.ts). The
 * conditions and the range are judged on the record of the version the open handle reads
 * (so an If-Match download cannot mix two versions), before the KMS is asked. Everything
 * before the first verified segment can still answer with a clean error; a later failure
 * cuts the connection.
 */
import { headerValue } from '../http/headers.js';
import { readConditionResult } from '../s3/conditionals.js';
import { readResponseHeaders } from '../s3/object-headers.js';
import { parseRangeHeader } from '../s3/range-header.js';
import { responseOverrides } from '../s3/response-overrides.js';
import { refuseSseHeadersOnRead } from '../s3/sse-headers.js';
import { openObjectPlaintext, type ObjectMetadata } from '../sse/index.js';
import { partSelection, readPartNumber } from '../s3/multipart.js';
import { objectIo, type Operation } from './operation.js';

export const GetObject: Operation = async (ctx) => {
  const { bucket, key, headers } = ctx;
  refuseSseHeadersOnRead(headers);
  const overrides = responseOverrides(ctx.query, ctx.auth);
  const partNumber = readPartNumber(ctx.query, headerValue(headers, 'range'));
  const checksumMode = headerValue(headers, 'x-amz-checksum-mode') === 'ENABLED';
  let partHeaders: Record<string, string> = {};
  const opened = await openObjectPlaintext({
    ...objectIo(ctx),
    bucket,
    key,
    answerEarly: (record: ObjectMetadata) => readConditionResult(headers, record),
    select: (record) => {
      if (partNumber === undefined) return parseRangeHeader(headerValue(headers, 'range'), record.plaintextSize);
      const part = partSelection(record, partNumber, checksumMode);
      partHeaders = part.headers;
      return part.range;
    },
  });
  if ('early' in opened) return opened.early;
  const { meta, range, bytes } = opened;
  const head = { status: range ? 206 : 200, headers: Object.assign(readResponseHeaders(meta, headers, range), partHeaders, overrides) };
  // A small object comes whole: sent as one buffer, its stream never made.
  return bytes ? { ...head, body: bytes } : { ...head, stream: opened.stream };
};
