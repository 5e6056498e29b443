/**
 * UploadPartCopy (`PUT /{bucket}/{key}?partNumber=N&uploadId=` + `x-amz-copy-source`): bytes
 * of another object, read as CopyObject reads its source (s3/copy-source-read.ts: s3:GetObject
 * on it, its key unwrapped as the caller through S3), re-encrypted as one part under the
 * upload's key. `x-amz-copy-source-range` picks `bytes=first-last` of the source, as S3 reads it.
 */
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import { authorizedCopySource, openCopySource } from '../s3/copy-source-read.js';
import { MAX_PART_SIZE, checksumElements } from '../s3/multipart.js';
import type { PlaintextRange } from '../sse/index.js';
import { commitPart, partTargetOf } from './part-commit.js';
import type { Operation } from './operation.js';

const COPY_SOURCE_RANGE = 'x-amz-copy-source-range';

/** `bytes=first-last` within the source; absent → the whole source. */
export function parseCopySourceRange(value: string | undefined, size: number): PlaintextRange | undefined {
  if (value === undefined) return undefined;
  const match = /^bytes=(\d{1,16})-(\d{1,16})$/.exec(value.trim());
  if (!match) {
    throw new S3Error('InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', {
      ArgumentName: COPY_SOURCE_RANGE, ArgumentValue: value,
    });
  }
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (start > end || end >= size) {
    throw new S3Error('InvalidArgument', `Range specified is not valid for source object of size: ${size}`, { ArgumentName: COPY_SOURCE_RANGE, ArgumentValue: value });
  }
  return { start, end };
}

export const UploadPartCopy: Operation = async (ctx) => {
  const source = await authorizedCopySource(ctx);
  const target = await partTargetOf(ctx);
  const opened = await openCopySource(ctx, source, (meta) => {
    const range = parseCopySourceRange(headerValue(ctx.headers, COPY_SOURCE_RANGE), meta.plaintextSize);
    const length = range ? range.end - range.start + 1 : meta.plaintextSize;
    if (length > MAX_PART_SIZE) throw new S3Error('EntityTooLarge', undefined, { ProposedSize: length, MaxSizeAllowed: MAX_PART_SIZE });
    return range;
  });
  try {
    const length = opened.range ? opened.range.end - opened.range.start + 1 : opened.meta.plaintextSize;
    const written = await commitPart(ctx, target, { length, streams: () => [opened.stream] });
    return {
      status: 200,
      headers: written.sseHeaders,
      xml: { root: 'CopyPartResult', body: { ETag: `"${written.etag}"`, LastModified: written.lastModified.toISOString(), ...checksumElements(written.checksums) } },
    };
  } finally {
    opened.stream.destroy();
  }
};
