/**
 * The CRC of a concatenation from the CRCs of its pieces and their lengths: how a FULL_OBJECT
 * multipart checksum (CRC32, CRC32C, CRC64NVME) is had from the parts' checksums without
 * reading the object again. Pure.
 *
 * All three are reflected CRCs whose initial value and final XOR are all ones, so for pieces
 * A and B with |B| = n bytes:
 *
 *   crc(A ‖ B) = crc(A) · x^(8n) mod P  ⊕  crc(B)
 *
 * (the all-ones terms cancel). Polynomials are kept reflected, as the register is: bit w−1 is
 * x^0. x^(8n) is built by squaring (x^(2^k) for the set bits of 8n), so one step costs
 * O(w · log n) bit operations. BigInt keeps one code path for the 32- and 64-bit widths; a
 * completion of 10,000 parts stays in the milliseconds.
 */
import type { ChecksumAlgorithm } from './algorithms.js';

export type CombinableAlgorithm = Extract<ChecksumAlgorithm, 'CRC32' | 'CRC32C' | 'CRC64NVME'>;

interface CrcParams {
  readonly width: number;
  /** Reflected polynomial. */
  readonly poly: bigint;
}

const PARAMS: Record<CombinableAlgorithm, CrcParams> = {
  CRC32: { width: 32, poly: 0xedb88320n },
  CRC32C: { width: 32, poly: 0x82f63b78n },
  CRC64NVME: { width: 64, poly: 0x9a6c9329ac4bc9b5n },
};

export function isCombinable(algorithm: ChecksumAlgorithm): algorithm is CombinableAlgorithm {
  return algorithm in PARAMS;
}

/** a · b mod P, both reflected polynomials of `width` bits. */
function multiplyModP(a: bigint, b: bigint, { width, poly }: CrcParams): bigint {
  let product = 0n;
  let m = 1n << BigInt(width - 1);
  while (m !== 0n) {
    if ((a & m) !== 0n) product ^= b;
    m >>= 1n;
    b = (b & 1n) !== 0n ? (b >> 1n) ^ poly : b >> 1n;
  }
  return product;
}

/** x^(8·bytes) mod P. */
function shiftByBytes(bytes: number, params: CrcParams): bigint {
  let result = 1n << BigInt(params.width - 1); // x^0
  let square = 1n << BigInt(params.width - 2); // x^1
  let exponent = BigInt(bytes) * 8n;
  while (exponent > 0n) {
    if ((exponent & 1n) !== 0n) result = multiplyModP(square, result, params);
    square = multiplyModP(square, square, params);
    exponent >>= 1n;
  }
  return result;
}

function fromBase64(value: string, width: number): bigint {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== width / 8) throw new RangeError(`a ${width}-bit CRC is ${width / 8} bytes, not ${bytes.length}`);
  return BigInt(`0x${bytes.toString('hex')}`);
}

function toBase64(value: bigint, width: number): string {
  return Buffer.from(value.toString(16).padStart(width / 4, '0'), 'hex').toString('base64');
}

/** The CRC (base64, as S3 writes it) of the pieces joined in order, from each one's CRC and length. */
export function combineCrcs(algorithm: CombinableAlgorithm, pieces: readonly { readonly base64: string; readonly length: number }[]): string {
  const params = PARAMS[algorithm];
  // The CRC of no bytes is 0 for all three (all-ones in, all-ones out).
  let crc = 0n;
  for (const piece of pieces) {
    crc = multiplyModP(shiftByBytes(piece.length, params), crc, params) ^ fromBase64(piece.base64, params.width);
  }
  return toBase64(crc, params.width);
}
