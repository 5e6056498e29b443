/**
 * The client's flexible checksum for a request body, read from its headers, and the stream
 * check that verifies it.
 *
 * Header rules (what S3 answers):
 * 1. At most one of x-amz-checksum-{crc32,crc32c,sha1,sha256,crc64nvme} (a header value or the
 *    trailer named by x-amz-trailer); two -> InvalidRequest "Expecting a single x-amz-checksum-
 *    header. Multiple checksum Types are not allowed."
 * 2. A value that is not base64 of the digest size -> InvalidRequest
 *    "Value for x-amz-checksum-<alg> header is invalid."
 * 3. x-amz-sdk-checksum-algorithm must name the algorithm actually sent; alone, without a value
 *    or trailer, S3 refuses it.
 * 4. Any other x-amz-checksum-* name (x-amz-checksum-mode, newer algorithms) is ignored: clients
 *    send them freely and rejecting them breaks uploads.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from '../http/errors.js';
import {
  algorithmFromHeaderName,
  algorithmFromName,
  checksumHeaderName,
  createChecksum,
  isValidChecksumValue,
  type ChecksumAlgorithm,
} from './algorithms.js';
import { headerValue, type RequestHeaders } from '../http/headers.js';
import { Crc64Checksum } from './crc64-offload.js';

export interface RequestChecksum {
  algorithm: ChecksumAlgorithm;
  /** The value from the header; absent when it comes in the aws-chunked trailer. */
  expectedBase64?: string;
  fromTrailer: boolean;
}

const MULTIPLE = 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.';

export function parseRequestChecksum(headers: RequestHeaders): RequestChecksum | null {
  const found: RequestChecksum[] = [];
  for (const name of Object.keys(headers)) {
    const alg = algorithmFromHeaderName(name);
    const value = headerValue(headers, name);
    if (alg === undefined || value === undefined) continue;
    const trimmed = value.trim();
    if (!isValidChecksumValue(alg, trimmed)) {
      throw new S3Error('InvalidRequest', `Value for ${checksumHeaderName(alg)} header is invalid.`);
    }
    found.push({ algorithm: alg, expectedBase64: trimmed, fromTrailer: false });
  }

  const trailer = headerValue(headers, 'x-amz-trailer')?.trim();
  if (trailer) {
    const alg = algorithmFromHeaderName(trailer);
    if (alg === undefined) {
      throw new S3Error('InvalidRequest', 'The value specified in the x-amz-trailer header is not supported');
    }
    found.push({ algorithm: alg, fromTrailer: true });
  }
  if (found.length > 1) throw new S3Error('InvalidRequest', MULTIPLE);

  const sdkAlgorithm = headerValue(headers, 'x-amz-sdk-checksum-algorithm')?.trim();
  const result = found[0] ?? null;
  if (sdkAlgorithm) {
    const named = algorithmFromName(sdkAlgorithm);
    if (named === undefined || (result !== null && result.algorithm !== named)) {
      throw new S3Error('InvalidRequest', 'Value for x-amz-sdk-checksum-algorithm header is invalid.');
    }
    if (result === null) {
      throw new S3Error(
        'InvalidRequest',
        'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
      );
    }
  }
  return result;
}

/** BadDigest as S3 words it for a flexible checksum mismatch (a completion spells the algorithm in lower case). */
export function checksumMismatch(alg: ChecksumAlgorithm, spelled: string = alg): S3Error {
  return new S3Error('BadDigest', `The ${spelled} you specified did not match the calculated checksum.`);
}

export type ChecksumCheck = Transform & { result(): string };

/**
 * Pass-through that computes `alg` over the bytes; with `expectedBase64` it fails at the end
 * with BadDigest on a mismatch. `result()` is the base64 digest once the stream has finished.
 */
export function createChecksumCheck(alg: ChecksumAlgorithm, expectedBase64?: string): ChecksumCheck {
  const hasher = bodyHasher(alg);
  let digest: string | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      const wait = hasher.update(chunk);
      if (wait === undefined) callback(null, chunk);
      else wait.then(() => callback(null, chunk), callback);
    },
    flush(callback: TransformCallback) {
      hasher.digestBase64().then((value) => {
        digest = value;
        if (expectedBase64 !== undefined && digest !== expectedBase64) return callback(checksumMismatch(alg));
        callback();
      }, callback);
    },
    destroy(err, callback) {
      if (digest === undefined) hasher.discard();
      callback(err);
    },
  });
  return Object.assign(stream, {
    result(): string {
      if (digest === undefined) throw new Error('checksum requested before the stream finished');
      return digest;
    },
  });
}

interface BodyHasher {
  update(chunk: Buffer): Promise<void> | undefined;
  digestBase64(): Promise<string>;
  discard(): void;
}

/** A body's hasher: CRC64NVME (the default, over every byte) moves to a worker on a large body. */
function bodyHasher(alg: ChecksumAlgorithm): BodyHasher {
  if (alg === 'CRC64NVME') return new Crc64Checksum();
  const hasher = createChecksum(alg);
  return {
    update: (chunk) => void hasher.update(chunk),
    digestBase64: async () => hasher.digestBase64(),
    discard: () => {},
  };
}
