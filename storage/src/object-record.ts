// The filesystem backend's per-key record: which data file holds the object's bytes, how
// many there are, and the gateway's opaque metadata. Replacing this file (by rename) is
// the commit point of a PUT. Pure: no I/O.
//
// Layout, version 2 (integers big-endian):
//   1. magic        4 bytes  "KGOR"
//   2. version      1 byte   0x02 (0x01 records, written before listing entries, stop
//                            after step 7 and decode with listing null)
//   3. nameLength   1 byte   n, 1..64
//   4. dataName     n bytes  data file name, lowercase hex
//   5. dataSize     8 bytes  uint64, at most Number.MAX_SAFE_INTEGER
//   6. metaLength   4 bytes  uint32 m
//   7. metadata     m bytes  opaque
//   8. listLength   4 bytes  uint32 l, 0 for none
//   9. listing      l bytes  the listing entry (listing-entry.ts)
//   Nothing may follow; any other length is rejected.
//
// The listing entry lives in the record so it is committed by the same rename: a listing
// can never show an entry that disagrees with the object it names.
import type { ListingEntry } from './object-store.js';
import { decodeListingEntry, encodeListingEntry } from './listing-entry.js';

const MAGIC = Buffer.from('KGOR', 'ascii');
const VERSION = 2;
const FIXED_BYTES_V1 = 4 + 1 + 1 + 8 + 4;
const FIXED_BYTES = FIXED_BYTES_V1 + 4;

export interface ObjectRecord {
  dataName: string;
  dataSize: number;
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

export function encodeObjectRecord(record: ObjectRecord): Buffer {
  checkDataName(record.dataName);
  if (!Number.isSafeInteger(record.dataSize) || record.dataSize < 0) {
    throw new RangeError('dataSize must be a non-negative safe integer');
  }
  const name = Buffer.from(record.dataName, 'ascii');
  const listing = record.listing ? encodeListingEntry(record.listing) : Buffer.alloc(0);
  const out = Buffer.alloc(FIXED_BYTES + name.length + record.metadata.length + listing.length);
  let at = MAGIC.copy(out, 0);
  at = out.writeUInt8(VERSION, at);
  at = out.writeUInt8(name.length, at);
  at += name.copy(out, at);
  at = out.writeBigUInt64BE(BigInt(record.dataSize), at);
  at = out.writeUInt32BE(record.metadata.length, at);
  at += record.metadata.copy(out, at);
  at = out.writeUInt32BE(listing.length, at);
  listing.copy(out, at);
  return out;
}

export function decodeObjectRecord(bytes: Buffer): ObjectRecord {
  if (bytes.length < FIXED_BYTES_V1 + 1) throw new CorruptRecordError('too short');
  if (!bytes.subarray(0, 4).equals(MAGIC)) throw new CorruptRecordError('bad magic');
  const version = bytes[4];
  if (version !== 1 && version !== VERSION) throw new CorruptRecordError(`unknown version ${version}`);
  const nameLength = bytes[5];
  let at = 6;
  if (bytes.length < (version === 1 ? FIXED_BYTES_V1 : FIXED_BYTES) + nameLength) throw new CorruptRecordError('too short');
  const dataName = bytes.toString('ascii', at, at + nameLength);
  checkDataName(dataName);
  at += nameLength;
  const size = bytes.readBigUInt64BE(at);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new CorruptRecordError('data size too large');
  at += 8;
  const metaLength = bytes.readUInt32BE(at);
  at += 4;
  if (version === 1) {
    if (bytes.length !== at + metaLength) throw new CorruptRecordError('length mismatch');
    return { dataName, dataSize: Number(size), metadata: Buffer.from(bytes.subarray(at)), listing: null };
  }
  if (bytes.length < at + metaLength + 4) throw new CorruptRecordError('length mismatch');
  const metadata = Buffer.from(bytes.subarray(at, at + metaLength));
  at += metaLength;
  const listLength = bytes.readUInt32BE(at);
  at += 4;
  if (bytes.length !== at + listLength) throw new CorruptRecordError('length mismatch');
  let listing: ListingEntry | null = null;
  if (listLength > 0) {
    try {
      listing = decodeListingEntry(bytes.subarray(at));
    } catch (err) {
      throw new CorruptRecordError(err instanceof Error ? err.message : 'bad listing entry');
    }
  }
  return { dataName, dataSize: Number(size), metadata, listing };
}
