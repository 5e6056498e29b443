/**
 * GetObject: the object opened as authenticated plaintext (sse/object-reader.ts), the range
 * parsed against the record before the KMS is asked. Everything before the first verified
 * segment can still answer with a clean error; a later failure cuts the connection.
 */
import { headerValue } from '../http/headers.js';
import { readResponseHeaders } from '../s3/object-headers.js';
import { parseRangeHeader } from '../s3/range-header.js';
import { refuseSseHeadersOnRead } from '../s3/sse-headers.js';
import { openObjectPlaintext } from '../sse/index.js';
import { objectIo, type Operation } from './operation.js';

export const GetObject: Operation = async (ctx) => {
  const { bucket, key, headers } = ctx;
  refuseSseHeadersOnRead(headers);
  const { meta, range, stream } = await openObjectPlaintext({
    ...objectIo(ctx),
    bucket,
    key,
    select: (record) => parseRangeHeader(headerValue(headers, 'range'), record.plaintextSize),
  });
  return { status: range ? 206 : 200, headers: readResponseHeaders(meta, headers, range), stream };
};
