export {
  CHECKSUM_ALGORITHMS,
  DEFAULT_CHECKSUM,
  algorithmFromHeaderName,
  algorithmFromName,
  checksumHeaderName,
  createChecksum,
  isValidChecksumValue,
  type ChecksumAlgorithm,
  type ChecksumHasher,
} from './algorithms.js';
export {
  checksumMismatch,
  createChecksumCheck,
  parseRequestChecksum,
  type ChecksumCheck,
  type RequestChecksum,
} from './request-checksum.js';
export { createContentMd5Check } from './content-md5.js';
export { checksumSources } from './presigned-checksum.js';
export { combineCrcs, isCombinable, type CombinableAlgorithm } from './crc-combine.js';
