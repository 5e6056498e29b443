/**
 * CRC-64/NVME (the algorithm S3 calls CRC64NVME), computed synchronously.
 *
 * Parameters: reflected polynomial 0x9A6C9329AC4BC9B5, initial value and final XOR all ones,
 * check value for "123456789" = 0xAE8B14860A799888. The digest is the 8 bytes big-endian, as
 * S3 puts it in `x-amz-checksum-crc64nvme`.
 *
 * S3 computes this checksum over every uploaded byte by default, so it runs natively where it
 * can: aws-crt (AWS's C runtime, whose prebuilt binding the AWS SDK itself uses for this
 * checksum) folded 1 GiB in 0.71-0.79 s of CPU here, the JS fold below in 2.06-2.14 s. The
 * binding is checked against the check value when it loads; where it does not load, the JS
 * fold is used, with the same register, so a body may move between the two.
 *
 * The JS fold: JavaScript has no fast 64-bit integers, so the register is kept as two uint32
 * halves and the table is split the same way. Eight bytes are folded per step
 * (slicing-by-8), read as two aligned 32-bit words on a little-endian machine.
 *
 * `buildCrc64Tables`, `crc64Fold` and `crc64FoldNative` use nothing outside themselves: the
 * checksum worker (crc64-offload.ts) runs them from their source text, so both threads run
 * the same code.
 */
import { createRequire } from 'node:module';
import { endianness } from 'node:os';

export interface Crc64Tables {
  readonly lo: Uint32Array;
  readonly hi: Uint32Array;
}

/** The register: the low and high 32 bits. */
export interface Crc64State {
  lo: number;
  hi: number;
}

export function buildCrc64Tables(): Crc64Tables {
  const POLY_LO = 0xac4bc9b5;
  const POLY_HI = 0x9a6c9329;
  const SLICES = 8;
  const lo = new Uint32Array(256 * SLICES);
  const hi = new Uint32Array(256 * SLICES);
  for (let i = 0; i < 256; i++) {
    let l = i;
    let h = 0;
    for (let bit = 0; bit < 8; bit++) {
      const carry = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h = h >>> 1;
      if (carry) {
        l = (l ^ POLY_LO) >>> 0;
        h = (h ^ POLY_HI) >>> 0;
      }
    }
    lo[i] = l;
    hi[i] = h;
  }
  // Table k advances a byte that sits k positions further from the end of the 8-byte block.
  for (let k = 1; k < SLICES; k++) {
    for (let i = 0; i < 256; i++) {
      const pl = lo[(k - 1) * 256 + i];
      const ph = hi[(k - 1) * 256 + i];
      const idx = pl & 0xff;
      lo[k * 256 + i] = (((pl >>> 8) | (ph << 24)) ^ lo[idx]) >>> 0;
      hi[k * 256 + i] = ((ph >>> 8) ^ hi[idx]) >>> 0;
    }
  }
  return { lo, hi };
}

/** Folds `data` into `state`. */
export function crc64Fold(tables: Crc64Tables, state: Crc64State, data: Uint8Array, littleEndian: boolean): void {
  const TL = tables.lo;
  const TH = tables.hi;
  let l = state.lo;
  let h = state.hi;
  let i = 0;
  if (littleEndian && data.length >= 16) {
    // Bytes up to a 4-byte boundary one at a time, then the words, then the tail.
    const head = (4 - (data.byteOffset & 3)) & 3;
    for (; i < head; i++) {
      const idx = (l ^ data[i]) & 0xff;
      l = (((l >>> 8) | (h << 24)) ^ TL[idx]) >>> 0;
      h = ((h >>> 8) ^ TH[idx]) >>> 0;
    }
    const words = new Uint32Array(data.buffer, data.byteOffset + i, ((data.length - i) >>> 3) * 2);
    for (let w = 0; w < words.length; w += 2) {
      const a = l ^ words[w];
      const b = h ^ words[w + 1];
      const i7 = 7 * 256 + (a & 0xff), i6 = 6 * 256 + ((a >>> 8) & 0xff);
      const i5 = 5 * 256 + ((a >>> 16) & 0xff), i4 = 4 * 256 + (a >>> 24);
      const i3 = 3 * 256 + (b & 0xff), i2 = 2 * 256 + ((b >>> 8) & 0xff);
      const i1 = 256 + ((b >>> 16) & 0xff), i0 = b >>> 24;
      l = TL[i7] ^ TL[i6] ^ TL[i5] ^ TL[i4] ^ TL[i3] ^ TL[i2] ^ TL[i1] ^ TL[i0];
      h = TH[i7] ^ TH[i6] ^ TH[i5] ^ TH[i4] ^ TH[i3] ^ TH[i2] ^ TH[i1] ^ TH[i0];
    }
    i += words.length * 4;
    l >>>= 0;
    h >>>= 0;
  } else {
    const end8 = data.length - (data.length % 8);
    for (; i < end8; i += 8) {
      const a = (l ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24))) >>> 0;
      const b = (h ^ (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24))) >>> 0;
      const i7 = 7 * 256 + (a & 0xff), i6 = 6 * 256 + ((a >>> 8) & 0xff);
      const i5 = 5 * 256 + ((a >>> 16) & 0xff), i4 = 4 * 256 + (a >>> 24);
      const i3 = 3 * 256 + (b & 0xff), i2 = 2 * 256 + ((b >>> 8) & 0xff);
      const i1 = 256 + ((b >>> 16) & 0xff), i0 = b >>> 24;
      l = (TL[i7] ^ TL[i6] ^ TL[i5] ^ TL[i4] ^ TL[i3] ^ TL[i2] ^ TL[i1] ^ TL[i0]) >>> 0;
      h = (TH[i7] ^ TH[i6] ^ TH[i5] ^ TH[i4] ^ TH[i3] ^ TH[i2] ^ TH[i1] ^ TH[i0]) >>> 0;
    }
  }
  for (; i < data.length; i++) {
    const idx = (l ^ data[i]) & 0xff;
    l = (((l >>> 8) | (h << 24)) ^ TL[idx]) >>> 0;
    h = ((h >>> 8) ^ TH[idx]) >>> 0;
  }
  state.lo = l;
  state.hi = h;
}

/** The 8-byte big-endian digest of a register. */
export function crc64Digest(state: Crc64State): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt32BE((state.hi ^ 0xffffffff) >>> 0, 0);
  out.writeUInt32BE((state.lo ^ 0xffffffff) >>> 0, 4);
  return out;
}

export const CRC64_INITIAL: Readonly<Crc64State> = { lo: 0xffffffff, hi: 0xffffffff };
export const LITTLE_ENDIAN = endianness() === 'LE';
export const CRC64_TABLES = buildCrc64Tables();

/** aws-crt's CRC64NVME: `previous` and the result are the CRC so far, 8 bytes big-endian. */
export type NativeCrc64 = (data: Uint8Array, previous?: DataView) => DataView;

/** Folds `data` into `state` through the native function (the register is the CRC's complement). */
export function crc64FoldNative(native: NativeCrc64, state: Crc64State, data: Uint8Array): void {
  const previous = new DataView(new ArrayBuffer(8));
  previous.setUint32(0, (state.hi ^ 0xffffffff) >>> 0);
  previous.setUint32(4, (state.lo ^ 0xffffffff) >>> 0);
  const out = native(data, previous);
  state.hi = (out.getUint32(0) ^ 0xffffffff) >>> 0;
  state.lo = (out.getUint32(4) ^ 0xffffffff) >>> 0;
}

/** Where aws-crt's binding is, if it loads here and gives the check value; else null. */
function findNative(): { path: string; crc64nvme: NativeCrc64 } | null {
  try {
    const require = createRequire(import.meta.url);
    const path = require.resolve('aws-crt/dist/native/checksums.js');
    const { crc64nvme } = require(path) as { crc64nvme: NativeCrc64 };
    const check = crc64nvme(Buffer.from('123456789', 'latin1'));
    return check.getUint32(0) === 0xae8b1486 && check.getUint32(4) === 0x0a799888 ? { path, crc64nvme } : null;
  } catch {
    return null;
  }
}

export const NATIVE_CRC64 = findNative();

/** Folds `data` into `state`, natively where the binding loaded. */
export function crc64Update(state: Crc64State, data: Uint8Array): void {
  if (NATIVE_CRC64) crc64FoldNative(NATIVE_CRC64.crc64nvme, state, data);
  else crc64Fold(CRC64_TABLES, state, data, LITTLE_ENDIAN);
}

export class Crc64NvmeSync {
  readonly state: Crc64State = { ...CRC64_INITIAL };

  update(data: Uint8Array): void {
    crc64Update(this.state, data);
  }

  /** The 8-byte big-endian digest; the running state is left untouched. */
  digest(): Buffer {
    return crc64Digest(this.state);
  }
}
