/**
 * SSE: the encrypted object format (GWSE v1), its streams, the encryption context and
 * the object metadata record. Everything the operations need comes from here.
 */
export { IntegrityError, PlaintextLengthError } from './errors.js';
export {
  DEFAULT_SEGMENT_SIZE_LOG2, GWSE_ALGORITHM_NAME, HEADER_SIZE, decodeHeader, encryptedSize, etagFromHeader, segmentCount,
} from './format/gwse.js';
export type { GwseHeader } from './format/gwse.js';
export { planRange } from './format/range.js';
export { partOffsets, planPartRanges, rangeOfPart } from './format/part-range.js';
export type { PlaintextRange, SegmentPlan } from './format/range.js';
export { createEncryptStream } from './encrypt-stream.js';
export type { EncryptStream, EncryptStreamOptions } from './encrypt-stream.js';
export { openEncryptedObject, openPlaintextStream } from './decrypt-stream.js';
export type { EncryptedObject, OpenEncryptedObjectOptions, OpenPlaintextStreamOptions } from './decrypt-stream.js';
export {
  CONTEXT_HEADER, S3_ARN_CONTEXT_KEY, assertContextNamesObject, buildEncryptionContext, canonicalEncryptionContext, objectArn,
  parseContextHeader,
} from './context.js';
export type { EncryptionContext, ObjectEncryptionContext } from './context.js';
export { CHECKSUM_ALGORITHMS, METADATA_VERSION, MULTIPART_METADATA_VERSION, SYSTEM_HEADER_NAMES, parseMetadata, sealMetadata, verifyMetadataMac } from './metadata.js';
export type { ChecksumAlgorithm, PartEntry, ObjectMetadata, ObjectMetadataV1, SystemHeaderName, UnsealedObjectMetadata } from './metadata.js';
export { checksumTypeOf, listingEntryOf } from './listing-entry.js';
export { checksumsOf, objectAttributesOf, writeEncryptedObject } from './object-writer.js';
export type { ObjectAttributes, ObjectChecksums, WriteObjectOptions, WrittenObject } from './object-writer.js';
export { objectRecordOf, openObjectPlaintext, readObjectRecord } from './object-reader.js';
export type { OpenObjectOptions, OpenObjectOptionsWithEarlyAnswer, OpenedObject } from './object-reader.js';
