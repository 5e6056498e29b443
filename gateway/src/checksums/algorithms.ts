/**
 * The five S3 flexible-checksum algorithms: names, header names, digest sizes and hashers.
 *
 * Values travel as base64 of the raw digest: CRC32 and CRC32C as 4 bytes big-endian,
 * CRC64NVME as 8 bytes big-endian, SHA1 as 20 bytes, SHA256 as 32 bytes.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Crc32c } from '@aws-crypto/crc32c';
import { Crc64NvmeSync } from './crc64nvme.js';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256' | 'CRC64NVME';

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'];

/** The checksum S3 computes and stores, as FULL_OBJECT, for a body sent without one. */
export const DEFAULT_CHECKSUM: ChecksumAlgorithm = 'CRC64NVME';

const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, SHA1: 20, SHA256: 32, CRC64NVME: 8 };

export interface ChecksumHasher {
  update(chunk: Buffer): void;
  digestBase64(): string;
}

/** `x-amz-checksum-crc32` and so on: the header (and trailer) that carries the value. */
export function checksumHeaderName(alg: ChecksumAlgorithm): string {
  return `x-amz-checksum-${alg.toLowerCase()}`;
}

/** The algorithm a header name carries, or undefined for any other name (including newer algorithms we do not compute). */
export function algorithmFromHeaderName(name: string): ChecksumAlgorithm | undefined {
  const lower = name.trim().toLowerCase();
  return CHECKSUM_ALGORITHMS.find((alg) => checksumHeaderName(alg) === lower);
}

/** Algorithm named the way `x-amz-sdk-checksum-algorithm` names it (SDKs send upper case; accept any case). */
export function algorithmFromName(name: string): ChecksumAlgorithm | undefined {
  const upper = name.trim().toUpperCase();
  return CHECKSUM_ALGORITHMS.find((alg) => alg === upper);
}

/** True when `value` is canonical base64 of exactly the digest size of `alg`. */
export function isValidChecksumValue(alg: ChecksumAlgorithm, value: string): boolean {
  const bytes = DIGEST_BYTES[alg];
  const expectedLength = 4 * Math.ceil(bytes / 3);
  if (value.length !== expectedLength || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return false;
  const decoded = Buffer.from(value, 'base64');
  // Re-encoding catches non-zero padding bits and misplaced '=' that Buffer.from tolerates.
  return decoded.length === bytes && decoded.toString('base64') === value;
}

class NodeHashHasher implements ChecksumHasher {
  private readonly hash;
  constructor(name: 'sha1' | 'sha256') {
    this.hash = createHash(name);
  }
  update(chunk: Buffer): void {
    this.hash.update(chunk);
  }
  digestBase64(): string {
    return this.hash.copy().digest('base64');
  }
}

class Crc32Hasher implements ChecksumHasher {
  private value = 0;
  update(chunk: Buffer): void {
    this.value = crc32(chunk, this.value);
  }
  digestBase64(): string {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.value >>> 0, 0);
    return out.toString('base64');
  }
}

class Crc32cHasher implements ChecksumHasher {
  private readonly crc = new Crc32c();
  update(chunk: Buffer): void {
    this.crc.update(chunk);
  }
  digestBase64(): string {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.crc.digest() >>> 0, 0);
    return out.toString('base64');
  }
}

class Crc64NvmeHasher implements ChecksumHasher {
  private readonly crc = new Crc64NvmeSync();
  update(chunk: Buffer): void {
    this.crc.update(chunk);
  }
  digestBase64(): string {
    return this.crc.digest().toString('base64');
  }
}

/** A fresh incremental hasher; `digestBase64()` may be called more than once. */
export function createChecksum(alg: ChecksumAlgorithm): ChecksumHasher {
  switch (alg) {
    case 'CRC32':
      return new Crc32Hasher();
    case 'CRC32C':
      return new Crc32cHasher();
    case 'SHA1':
      return new NodeHashHasher('sha1');
    case 'SHA256':
      return new NodeHashHasher('sha256');
    case 'CRC64NVME':
      return new Crc64NvmeHasher();
  }
}
