/**
 * What the multipart operations share: the part number and upload id of a request, the
 * upload's record, S3's part size rule, the multipart ETag and composite checksums, and the
 * SSE headers every multipart answer carries (never the context: S3 echoes it only on
 * CreateMultipartUpload).
 */
import { createHash } from 'node:crypto';
import type { ObjectStore, UploadInfo } from '@kmsgate/storage';
import { checksumHeaderName, createChecksum, type ChecksumAlgorithm } from '../checksums/index.js';
import { S3Error } from '../http/errors.js';
import { checksumTypeOf, rangeOfPart, type ObjectMetadata, type PlaintextRange } from '../sse/index.js';
import { parseUploadRecord, type UploadRecord } from '../sse/upload-record.js';
import type { Principal } from '../identity/identity.js';
import type { XmlObject } from '../http/xml.js';
import { ownerOf } from './listing-xml.js';
import { sseResponseHeaders } from './object-headers.js';

/** Every part but the last must hold at least this much (EntityTooSmall). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_SIZE = 5 * 1024 ** 3;
export const MAX_PART_NUMBER = 10000;

/** `partNumber` of UploadPart, UploadPartCopy and GET/HEAD: an integer in 1..10000. */
export function parsePartNumber(value: string | null): number {
  if (value === null || !/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > MAX_PART_NUMBER) {
    throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', {
      ArgumentName: 'partNumber', ArgumentValue: value ?? '',
    });
  }
  return Number(value);
}

export function uploadIdOf(query: URLSearchParams): string {
  return query.get('uploadId') ?? '';
}

export type LoadedUpload = UploadInfo & { readonly parsed: UploadRecord & { readonly mac: string } };

/** The upload in progress for this key (NoSuchUpload otherwise), its record parsed. */
export async function loadUpload(store: ObjectStore, bucket: string, key: string, uploadId: string): Promise<LoadedUpload> {
  const info = await store.getUpload(bucket, key, uploadId);
  return { ...info, parsed: parseUploadRecord(info.record) };
}

/**
 * Initiator and Owner of an upload as ListParts and ListMultipartUploads show them: who created
 * it (an IAM user by its ARN) and its account, whoever lists. A record from before the
 * initiator was kept falls back to the caller.
 */
export function uploadParties(upload: Pick<UploadRecord, 'initiator'>, caller: Principal): { Initiator: XmlObject; Owner: XmlObject } {
  const initiator = upload.initiator ?? caller;
  const owner = ownerOf(initiator);
  return { Initiator: { ID: initiator.arn, DisplayName: owner.DisplayName }, Owner: { ...owner } };
}

/** SSE headers of UploadPart, UploadPartCopy and CompleteMultipartUpload answers. */
export function uploadSseHeaders(upload: Pick<UploadRecord, 'sse' | 'kmsKeyArn'>): Record<string, string> {
  return sseResponseHeaders(upload);
}

/** MD5 of the binary part ETags, then `-<count>`: what S3 calls a multipart object. */
export function multipartEtag(partEtags: readonly string[]): string {
  const md5 = createHash('md5');
  for (const etag of partEtags) md5.update(Buffer.from(etag, 'hex'));
  return `${md5.digest('hex')}-${partEtags.length}`;
}

/** A COMPOSITE checksum: the algorithm over the binary part checksums, then `-<count>`. */
export function compositeChecksum(algorithm: ChecksumAlgorithm, partValues: readonly string[]): string {
  const hasher = createChecksum(algorithm);
  for (const value of partValues) hasher.update(Buffer.from(value, 'base64'));
  return `${hasher.digestBase64()}-${partValues.length}`;
}

/** The checksum headers of an answer, from stored values (`x-amz-checksum-type` from their form). */
export function checksumHeaders(checksums: Readonly<Partial<Record<ChecksumAlgorithm, string>>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [algorithm, value] of Object.entries(checksums)) {
    headers[checksumHeaderName(algorithm as ChecksumAlgorithm)] = value;
    headers['x-amz-checksum-type'] = checksumTypeOf(value);
  }
  return headers;
}

/** Checksum<ALG> elements of an XML answer. */
export function checksumElements(checksums: Readonly<Partial<Record<ChecksumAlgorithm, string>>>): Record<string, string> {
  return Object.fromEntries(Object.entries(checksums).map(([algorithm, value]) => [`Checksum${algorithm}`, value]));
}

/**
 * GET/HEAD `?partNumber=N`: the object range of the part uploaded as number N and the headers
 * that say so (`x-amz-mp-parts-count`; with checksum mode, that part's checksum). Parts keep
 * the numbers they were completed with, gaps included, as S3 keeps them: of parts 1, 3 and 7,
 * `partNumber=3` is the second and `partNumber=2` is no part. A single-part object is its own
 * part 1, read whole. No such part → 416 InvalidPartNumber.
 */
export function partSelection(meta: ObjectMetadata, partNumber: number, checksumMode: boolean): { range: PlaintextRange | undefined; headers: Record<string, string> } {
  const parts = meta.parts;
  const count = parts?.length ?? 1;
  const index = parts ? parts.findIndex((p) => p.partNumber === partNumber) : partNumber - 1;
  const unsatisfiable = (): S3Error => new S3Error('InvalidPartNumber', undefined, { PartNumberRequested: partNumber, ActualPartCount: count });
  if (index < 0 || index >= count) throw unsatisfiable();
  if (!parts) return { range: undefined, headers: {} };
  const range = rangeOfPart(parts.map((p) => p.plaintextSize), index);
  if (range === null && meta.plaintextSize > 0) throw unsatisfiable();
  const { 'x-amz-checksum-type': _type, ...checksums } = checksumMode ? checksumHeaders(parts[index].checksums) : {};
  return { range: range ?? undefined, headers: { 'x-amz-mp-parts-count': String(count), ...checksums } };
}

/** `partNumber` of a GET or HEAD, if any; it excludes a Range header, as in S3. */
export function readPartNumber(query: URLSearchParams, range: string | undefined): number | undefined {
  if (!query.has('partNumber')) return undefined;
  if (range !== undefined) throw new S3Error('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter');
  return parsePartNumber(query.get('partNumber'));
}
