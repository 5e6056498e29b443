/**
 * The checksums of a multipart object, as S3 keeps them. The upload's algorithm and type are
 * fixed at CreateMultipartUpload; CompleteMultipartUpload then:
 *
 * 1. Checks each listed part's Checksum<ALG> against the part's stored one: a different value
 *    → InvalidPart; absent → InvalidRequest for a COMPOSITE upload (FULL_OBJECT needs none);
 *    only another algorithm's → BadDigest for a COMPOSITE upload; any checksum on a part of an
 *    upload created without one → InvalidPart.
 * 2. Computes the object's checksum: COMPOSITE = the algorithm over the concatenated binary
 *    part checksums, written `<b64>-<parts>`; FULL_OBJECT (CRC32, CRC32C, CRC64NVME) = the CRC
 *    of the whole object, combined from the parts' CRCs and sizes (checksums/crc-combine.ts),
 *    no suffix. The parts keep their own checksums in the record only for COMPOSITE, which
 *    names them; a FULL_OBJECT object describes only itself. An upload created without an
 *    algorithm gets S3's default: the FULL_OBJECT CRC64NVME combined from the CRC64NVME each
 *    part kept (PartRecord.defaultCrc64nvme), or no checksum when a part kept none (it was
 *    uploaded before they were kept).
 * 3. Checks the whole-object `x-amz-checksum-<alg>` header, when sent, against (2): another
 *    algorithm → InvalidRequest "Checksum Type mismatch ..."; another value → BadDigest; and
 *    `x-amz-checksum-type`, when sent, against the upload's type → BadDigest.
 * All of this runs before the commit, so a refused completion leaves the upload as it was.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  CHECKSUM_ALGORITHMS, DEFAULT_CHECKSUM, checksumHeaderName, checksumMismatch, combineCrcs, isCombinable, parseRequestChecksum, type ChecksumAlgorithm,
} from '../checksums/index.js';
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import type { ObjectChecksums } from '../sse/object-writer.js';
import type { UploadRecord } from '../sse/upload-record.js';
import { compositeChecksum } from './multipart.js';

type ChecksumFields = Partial<Record<`Checksum${ChecksumAlgorithm}`, string>>;

/** What the completion states about the object, read before any part is looked at. */
export interface CompletionChecksumRequest {
  readonly wholeObject?: { readonly algorithm: ChecksumAlgorithm; readonly base64: string };
}

/** The completion's own checksum headers, checked against the upload's choice. */
export function completionChecksumRequest(headers: IncomingHttpHeaders, upload: UploadRecord): CompletionChecksumRequest {
  const type = headerValue(headers, 'x-amz-checksum-type');
  if (type !== undefined && type !== upload.checksumType) {
    throw new S3Error('BadDigest', upload.checksumType
      ? `The upload was created using the ${upload.checksumType} checksum mode. The complete request must use the same checksum mode.`
      : 'The upload was created without a checksum mode. The complete request must not name one.');
  }
  const sent = parseRequestChecksum(splitObjectChecksumHeaders(headers).checksum);
  if (!sent?.expectedBase64) return {};
  if (sent.algorithm !== upload.checksumAlgorithm) {
    throw new S3Error('InvalidRequest', `Checksum Type mismatch occurred, expected checksum Type: ${upload.checksumAlgorithm?.toLowerCase() ?? 'null'}, actual checksum Type: ${sent.algorithm.toLowerCase()}`);
  }
  return { wholeObject: { algorithm: sent.algorithm, base64: sent.expectedBase64 } };
}

/**
 * A request's `x-amz-checksum-<alg>` headers apart from the rest: on a completion they describe
 * the object to be, so the XML body is read (and checked) by the rest alone.
 */
export function splitObjectChecksumHeaders(headers: IncomingHttpHeaders): { readonly checksum: IncomingHttpHeaders; readonly rest: IncomingHttpHeaders } {
  const names = new Set(CHECKSUM_ALGORITHMS.map(checksumHeaderName));
  const entries = Object.entries(headers);
  return {
    checksum: Object.fromEntries(entries.filter(([name]) => names.has(name))),
    rest: Object.fromEntries(entries.filter(([name]) => !names.has(name))),
  };
}

/** Rule 1 for one listed part; `refuse` is the InvalidPart error naming it. */
export function checkListedPartChecksum(upload: UploadRecord, partNumber: number, listed: ChecksumFields, stored: ObjectChecksums, refuse: () => S3Error): void {
  const algorithm = upload.checksumAlgorithm;
  const given = CHECKSUM_ALGORITHMS.filter((a) => listed[`Checksum${a}`] !== undefined);
  if (!algorithm) {
    if (given.length > 0) throw refuse();
    return;
  }
  const value = listed[`Checksum${algorithm}`]?.trim();
  if (value === undefined) {
    if (upload.checksumType !== 'COMPOSITE') return;
    if (given.length > 0) throw new S3Error('BadDigest', `The ${given[0].toLowerCase()} you specified for part ${partNumber} did not match what we received.`);
    throw new S3Error('InvalidRequest', `The upload was created using a ${algorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${partNumber} in the request.`);
  }
  if (value !== stored[algorithm]) throw refuse();
}

/** Rules 2 and 3: the object's checksums, and what each part keeps of its own. */
export function objectChecksumsOf(
  upload: Pick<UploadRecord, 'checksumAlgorithm' | 'checksumType'>,
  parts: readonly { readonly plaintextSize: number; readonly checksums: ObjectChecksums; readonly defaultCrc64nvme?: string }[],
  request: CompletionChecksumRequest,
): { readonly object: ObjectChecksums; readonly partChecksums: (part: { readonly checksums: ObjectChecksums }) => ObjectChecksums } {
  const algorithm = upload.checksumAlgorithm;
  if (!algorithm) return { object: defaultObjectChecksum(parts), partChecksums: () => ({}) };
  const values = parts.map((p) => {
    const value = p.checksums[algorithm];
    // UploadPart stores the upload's algorithm on every part, computing it when none was sent.
    if (value === undefined) throw new Error(`a part of a ${algorithm} upload has no ${algorithm} checksum`);
    return value;
  });
  let value: string;
  let bare: string;
  if (upload.checksumType === 'FULL_OBJECT' && isCombinable(algorithm)) {
    value = bare = combineCrcs(algorithm, values.map((base64, i) => ({ base64, length: parts[i].plaintextSize })));
  } else {
    value = compositeChecksum(algorithm, values);
    bare = value.replace(/-\d+$/, '');
  }
  const sent = request.wholeObject;
  if (sent && sent.base64 !== bare) throw checksumMismatch(algorithm, algorithm.toLowerCase());
  const composite = upload.checksumType === 'COMPOSITE';
  return { object: { [algorithm]: value }, partChecksums: (part) => (composite ? part.checksums : {}) };
}

/** S3's default for an upload created without an algorithm (rule 2's last sentence). */
function defaultObjectChecksum(parts: readonly { readonly plaintextSize: number; readonly defaultCrc64nvme?: string }[]): ObjectChecksums {
  const kept: { base64: string; length: number }[] = [];
  for (const part of parts) {
    if (part.defaultCrc64nvme === undefined) return {};
    kept.push({ base64: part.defaultCrc64nvme, length: part.plaintextSize });
  }
  return { [DEFAULT_CHECKSUM]: combineCrcs('CRC64NVME', kept) };
}
