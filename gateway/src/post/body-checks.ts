/**
 * The integrity checks a form's fields ask of its file, as headers ask them of a PUT body:
 * Content-MD5 (BadDigest on a mismatch), one x-amz-checksum-* value (BadDigest), and
 * without one S3's default full-object CRC64NVME, computed and stored.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Transform } from 'node:stream';
import { DEFAULT_CHECKSUM, createChecksumCheck, createContentMd5Check, parseRequestChecksum } from '../checksums/index.js';
import { headerValue } from '../http/headers.js';
import type { ObjectChecksums } from '../sse/index.js';

export interface BodyChecks {
  stages: Transform[];
  /** After the last byte: the checksum to store. */
  checksums(): ObjectChecksums;
}

export function bodyChecks(headers: IncomingHttpHeaders): BodyChecks {
  const stages: Transform[] = [];
  const md5 = headerValue(headers, 'content-md5');
  if (md5 !== undefined) stages.push(createContentMd5Check(md5));
  const requested = parseRequestChecksum(headers);
  const algorithm = requested?.expectedBase64 === undefined ? DEFAULT_CHECKSUM : requested.algorithm;
  const check = createChecksumCheck(algorithm, requested?.expectedBase64);
  stages.push(check);
  return { stages, checksums: () => ({ [algorithm]: check.result() }) };
}
