// The filesystem backend's per-key record: which data files hold the object's bytes, how
// many each holds, and the gateway's opaque metadata. Replacing this file (by rename) is
// the commit point of a PUT or of a multipart completion. Pure: no I/O.
//
// Layout, versions 2 and 3 (integers big-endian):
//   1. magic        4 bytes  "KGOR"
//   2. version      1 byte   0x02: one data file; 0x03: several (a multipart object, whose
//                            part files stay as they were written). 0x01 records, written
//                            before listing entries, stop after step 7 and decode with
//                            listing null.
//   3. files        v2:      nameLength (1 byte, 1..64) ‖ dataName ‖ dataSize (8 bytes)
//                   v3:      count (2 bytes, 2..10000), then count times the v2 form
//                            dataName is lowercase hex; dataSize a uint64 ≤ MAX_SAFE_INTEGER
//   4. metaLength   4 bytes  uint32 m
//   5. metadata     m bytes  opaque
//   6. listLength   4 bytes  uint32 l, 0 for none
//   7. listing      l bytes  the listing entry (listing-entry.ts)
//   Nothing may follow; any other length is rejected. A record with one file is always
//   written as v2, so single-part records are byte for byte what they were.
//
// The listing entry lives in the record so it is committed by the same rename: a listing
// can never show an entry that disagrees with the object it names.
import type { ListingEntry } from './object-store.js';
import { decodeListingEntry, encodeListingEntry } from './listing-entry.js';

const MAGIC = Buffer.from('KGOR', 'ascii');
const MAX_FILES = 10000;

export interface DataFile {
  readonly name: string;
  readonly size: number;
}

export interface ObjectRecord {
  /** In object order; one for a single-part object. */
  files: readonly DataFile[];
  metadata: Buffer;
  /** null for records written without one. */
  listing: ListingEntry | null;
}

export class CorruptRecordError extends Error {
  constructor(reason: string) {
    super(`corrupt object record: ${reason}`);
    this.name = 'CorruptRecordError';
  }
}

function checkDataName(name: string): void {
  if (!/^[0-9a-f]{1,64}$/.test(name)) throw new CorruptRecordError('bad data file name');
}

/** Total data bytes of a record. */
export function recordDataSize(record: Pick<ObjectRecord, 'files'>): number {
  return record.files.reduce((sum, file) => sum + file.size, 0);
}

function encodeFile(file: DataFile): Buffer {
  checkDataName(file.name);
  if (!Number.isSafeInteger(file.size) || file.size < 0) throw new RangeError('dataSize must be a non-negative safe integer');
  const name = Buffer.from(file.name, 'ascii');
  const out = Buffer.alloc(1 + name.length + 8);
  out.writeUInt8(name.length, 0);
  name.copy(out, 1);
  out.writeBigUInt64BE(BigInt(file.size), 1 + name.length);
  return out;
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

export function encodeObjectRecord(record: ObjectRecord): Buffer {
  const count = record.files.length;
  if (count < 1 || count > MAX_FILES) throw new RangeError(`a record names 1 to ${MAX_FILES} data files`);
  const listing = record.listing ? encodeListingEntry(record.listing) : Buffer.alloc(0);
  const files = record.files.map(encodeFile);
  const head = count === 1 ? Buffer.from([2]) : Buffer.from([3, count >> 8, count & 0xff]);
  if (recordDataSize(record) > Number.MAX_SAFE_INTEGER) throw new RangeError('data too large');
  return Buffer.concat([MAGIC, head, ...files, lengthPrefixed(record.metadata), lengthPrefixed(listing)]);
}

/** A strict cursor over the record bytes: any read past the end is a corrupt record. */
class Reader {
  at = 0;
  constructor(private readonly bytes: Buffer) {}

  take(n: number): Buffer {
    if (this.at + n > this.bytes.length) throw new CorruptRecordError('too short');
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  u8(): number {
    return this.take(1)[0];
  }

  u32(): number {
    return this.take(4).readUInt32BE(0);
  }

  file(): DataFile {
    const name = this.take(this.u8()).toString('ascii');
    checkDataName(name);
    const size = this.take(8).readBigUInt64BE(0);
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new CorruptRecordError('data size too large');
    return { name, size: Number(size) };
  }

  get done(): boolean {
    return this.at === this.bytes.length;
  }
}

export function decodeObjectRecord(bytes: Buffer): ObjectRecord {
  if (bytes.length < 5) throw new CorruptRecordError('too short');
  if (!bytes.subarray(0, 4).equals(MAGIC)) throw new CorruptRecordError('bad magic');
  const version = bytes[4];
  if (version !== 1 && version !== 2 && version !== 3) throw new CorruptRecordError(`unknown version ${version}`);
  const reader = new Reader(bytes);
  reader.at = 5;
  let files: DataFile[];
  if (version === 3) {
    const count = reader.take(2).readUInt16BE(0);
    if (count < 2 || count > MAX_FILES) throw new CorruptRecordError('bad file count');
    files = Array.from({ length: count }, () => reader.file());
    if (recordDataSize({ files }) > Number.MAX_SAFE_INTEGER) throw new CorruptRecordError('data size too large');
  } else {
    files = [reader.file()];
  }
  const metadata = Buffer.from(reader.take(reader.u32()));
  if (version === 1) {
    if (!reader.done) throw new CorruptRecordError('length mismatch');
    return { files, metadata, listing: null };
  }
  const listBytes = reader.take(reader.u32());
  if (!reader.done) throw new CorruptRecordError('length mismatch');
  let listing: ListingEntry | null = null;
  if (listBytes.length > 0) {
    try {
      listing = decodeListingEntry(listBytes);
    } catch (err) {
      throw new CorruptRecordError(err instanceof Error ? err.message : 'bad listing entry');
    }
  }
  return { files, metadata, listing };
}
