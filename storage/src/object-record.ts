// The filesystem backend's per-key record: where the object's bytes are (in data files, how
// many each holds, or in the record itself), and the gateway's opaque metadata. Replacing
// this file (by rename) is the commit point of a PUT or of a multipart completion. Pure: no I/O.
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
// Layout, version 4 (the data inline, at most INLINE_MAX bytes):
//   1. magic        4 bytes  "KGOR"
//   2. version      1 byte   0x04
//   3. metaLength   4 bytes  uint32 m, then metadata (m bytes, opaque)
//   4. listLength   4 bytes  uint32 l, 0 for none, then the listing entry (l bytes)
//   5. dataLength   4 bytes  uint32 d ≤ INLINE_MAX, then the data (d bytes)
//   Nothing may follow. The data comes last so that a reader after the metadata (HEAD, a
//   listing) reads a short prefix of the file, and the lengths come before what they
//   measure so that prefix says how long it must be (recordLength).
//
// The listing entry lives in the record so it is committed by the same rename: a listing
// can never show an entry that disagrees with the object it names.
import type { ListingEntry } from './object-store.js';
import { decodeListingEntry, encodeListingEntry } from './listing-entry.js';

const MAGIC = Buffer.from('KGOR', 'ascii');
const MAX_FILES = 10000;
const INLINE_VERSION = 4;

/**
 * Objects whose stored bytes fit in this many are kept inside their record: one file, one
 * fsync, one rename per PUT instead of two of each, and one open per GET. 128 KiB, as
 * MinIO does in xl.meta: it takes a 64 KiB object (one GWSE segment plus header and tag)
 * and a PUT's buffered bytes stay small beside the memory bounds; past it the data
 * dominates the cost and is better streamed to a file of its own than held in memory.
 */
export const INLINE_MAX = 128 * 1024;

export interface DataFile {
  readonly name: string;
  readonly size: number;
}

export interface ObjectRecord {
  /** In object order; one for a single-part object; none when the data is inline. */
  files: readonly DataFile[];
  /** The data itself when the record holds it (version 4), else null. */
  inline: Buffer | null;
  metadata: Buffer;
  /** null for records written without one. */
  listing: ListingEntry | null;
}

/** What HEAD, listings and commits need of a record: all but inline data bytes. */
export interface RecordHead extends Omit<ObjectRecord, 'inline'> {
  readonly dataSize: number;
  readonly isInline: boolean;
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

/** Total data bytes held in data files. */
function filesSize(files: readonly DataFile[]): number {
  return files.reduce((sum, file) => sum + file.size, 0);
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
  const listing = record.listing ? encodeListingEntry(record.listing) : Buffer.alloc(0);
  if (record.inline) {
    if (record.files.length > 0) throw new RangeError('a record holds its data inline or names data files, not both');
    if (record.inline.length > INLINE_MAX) throw new RangeError(`inline data is at most ${INLINE_MAX} bytes`);
    const head = Buffer.from([...MAGIC, INLINE_VERSION]);
    return Buffer.concat([head, lengthPrefixed(record.metadata), lengthPrefixed(listing), lengthPrefixed(record.inline)]);
  }
  const count = record.files.length;
  if (count < 1 || count > MAX_FILES) throw new RangeError(`a record names 1 to ${MAX_FILES} data files`);
  const files = record.files.map(encodeFile);
  const head = count === 1 ? Buffer.from([2]) : Buffer.from([3, count >> 8, count & 0xff]);
  if (filesSize(record.files) > Number.MAX_SAFE_INTEGER) throw new RangeError('data too large');
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

/** Reads the fields every version shares: the location of the data, metadata, listing. */
function decodeFields(bytes: Buffer, reader: Reader): { version: number; files: DataFile[]; metadata: Buffer; listing: ListingEntry | null } {
  if (bytes.length < 5) throw new CorruptRecordError('too short');
  if (!bytes.subarray(0, 4).equals(MAGIC)) throw new CorruptRecordError('bad magic');
  const version = bytes[4];
  if (version < 1 || version > INLINE_VERSION) throw new CorruptRecordError(`unknown version ${version}`);
  reader.at = 5;
  let files: DataFile[] = [];
  if (version === 3) {
    const count = reader.take(2).readUInt16BE(0);
    if (count < 2 || count > MAX_FILES) throw new CorruptRecordError('bad file count');
    files = Array.from({ length: count }, () => reader.file());
    if (filesSize(files) > Number.MAX_SAFE_INTEGER) throw new CorruptRecordError('data size too large');
  } else if (version !== INLINE_VERSION) {
    files = [reader.file()];
  }
  const metadata = Buffer.from(reader.take(reader.u32()));
  if (version === 1) return { version, files, metadata, listing: null };
  const listBytes = reader.take(reader.u32());
  let listing: ListingEntry | null = null;
  if (listBytes.length > 0) {
    try {
      listing = decodeListingEntry(listBytes);
    } catch (err) {
      throw new CorruptRecordError(err instanceof Error ? err.message : 'bad listing entry');
    }
  }
  return { version, files, metadata, listing };
}

function inlineLength(reader: Reader): number {
  const length = reader.u32();
  if (length > INLINE_MAX) throw new CorruptRecordError('inline data too large');
  return length;
}

/** A whole record file, strictly: any other length is rejected. */
export function decodeObjectRecord(bytes: Buffer): ObjectRecord {
  const reader = new Reader(bytes);
  const { version, ...fields } = decodeFields(bytes, reader);
  const inline = version === INLINE_VERSION ? Buffer.from(reader.take(inlineLength(reader))) : null;
  if (!reader.done) throw new CorruptRecordError('length mismatch');
  return { ...fields, inline };
}

/**
 * A record without its inline data: `bytes` is the whole file, or (version 4) the prefix
 * recordLength(…, false) asked for. What it does hold is checked as strictly as a whole record.
 */
export function decodeRecordHead(bytes: Buffer): RecordHead {
  const reader = new Reader(bytes);
  const { version, ...fields } = decodeFields(bytes, reader);
  if (version !== INLINE_VERSION) {
    if (!reader.done) throw new CorruptRecordError('length mismatch');
    return { ...fields, dataSize: filesSize(fields.files), isInline: false };
  }
  const dataSize = inlineLength(reader);
  const rest = bytes.length - reader.at;
  if (rest !== 0 && rest !== dataSize) throw new CorruptRecordError('length mismatch');
  return { ...fields, dataSize, isInline: true };
}

/**
 * How many bytes of a record file a reader needs, judged from its first bytes: through the
 * head (withData false) or the whole file. null when the prefix cannot tell (too short, or a
 * version before 4, which has no data to skip): then the whole file is the answer.
 */
export function recordLength(prefix: Buffer, withData: boolean): number | null {
  if (prefix.length < 5 || prefix[4] !== INLINE_VERSION || !prefix.subarray(0, 4).equals(MAGIC)) return null;
  const u32At = (at: number): number | null => (at + 4 <= prefix.length ? prefix.readUInt32BE(at) : null);
  const metaLength = u32At(5);
  if (metaLength === null) return null;
  const listAt = 9 + metaLength;
  const listLength = u32At(listAt);
  if (listLength === null) return null;
  const dataAt = listAt + 4 + listLength;
  const dataLength = u32At(dataAt);
  if (dataLength === null) return null;
  return withData ? dataAt + 4 + dataLength : dataAt + 4;
}
