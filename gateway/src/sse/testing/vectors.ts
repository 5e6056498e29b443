/**
 * The known-answer vector inputs, shared by the vector test and the one-off generator
 * that wrote gwse-vectors.json. Outputs live only in the JSON file.
 */
import { canonicalEncryptionContext } from '../context.js';

export const VECTOR_DEK = Buffer.from(Array.from({ length: 32 }, (_, i) => i)); // 00 01 … 1f: obviously a test key
export const VECTOR_SALT = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i));
export const VECTOR_NONCE_PREFIX = Buffer.from([0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6]);
export const VECTOR_CONTEXT = canonicalEncryptionContext({
  'aws:s3:arn': 'arn:aws:s3:::vector-bucket/vectors/object.bin',
  purpose: 'known-answer',
});

export interface VectorSpec {
  readonly name: string;
  readonly segmentSizeLog2: number;
  readonly plaintextLength: number;
  readonly partNumber: number;
  /** Written without a declared length: flag bit 1, the length kept in the metadata record. */
  readonly lengthInRecord?: boolean;
}

const S = 4096;
export const VECTOR_SPECS: readonly VectorSpec[] = [
  ...[0, 1, S - 1, S, S + 1, 3 * S + 7].map((p) => ({ name: `S=4096 P=${p}`, segmentSizeLog2: 12, plaintextLength: p, partNumber: 0 })),
  { name: 'S=65536 P=1', segmentSizeLog2: 16, plaintextLength: 1, partNumber: 0 },
  { name: 'S=4096 P=4097 multipart part 3', segmentSizeLog2: 12, plaintextLength: S + 1, partNumber: 3 },
  ...[0, 1, S - 1, S, S + 1, 3 * S + 7].map((p) => ({
    name: `S=4096 P=${p} length in record`, segmentSizeLog2: 12, plaintextLength: p, partNumber: 0, lengthInRecord: true,
  })),
];

/** Files up to this size are stored in full, larger ones only by hash. */
export const FULL_HEX_LIMIT = 256;
