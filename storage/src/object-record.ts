// The filesystem backend's per-key record: which data file holds the object's bytes, how
// many there are, and the gateway's opaque metadata. Replacing this file (by rename) is
// the commit point of a PUT. Pure: no I/O.
//
// Layout, version 1 (integers big-endian):
//   1. magic        4 bytes  "KGOR"
//   2. version      1 byte   0x01
//   3. nameLength   1 byte   n, 1..64
//   4. dataName     n bytes  data file name, lowercase hex
//   5. dataSize     8 bytes  uint64, at most Number.MAX_SAFE_INTEGER
//   6. metaLength   4 bytes  uint32 m
//   7. metadata     m bytes  opaque
//   Nothing may follow; any other length is rejected.

const MAGIC = Buffer.from('KGOR', 'ascii');
const VERSION = 1;
const FIXED_BYTES = 4 + 1 + 1 + 8 + 4;

export interface ObjectRecord {
  dataName: string;
  dataSize: number;
  metadata: Buffer;
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
  const out = Buffer.alloc(FIXED_BYTES + name.length + record.metadata.length);
  let at = MAGIC.copy(out, 0);
  at = out.writeUInt8(VERSION, at);
  at = out.writeUInt8(name.length, at);
  at += name.copy(out, at);
  at = out.writeBigUInt64BE(BigInt(record.dataSize), at);
  at = out.writeUInt32BE(record.metadata.length, at);
  record.metadata.copy(out, at);
  return out;
}

export function decodeObjectRecord(bytes: Buffer): ObjectRecord {
  if (bytes.length < FIXED_BYTES + 1) throw new CorruptRecordError('too short');
  if (!bytes.subarray(0, 4).equals(MAGIC)) throw new CorruptRecordError('bad magic');
  if (bytes[4] !== VERSION) throw new CorruptRecordError(`unknown version ${bytes[4]}`);
  const nameLength = bytes[5];
  let at = 6;
  if (bytes.length < FIXED_BYTES + nameLength) throw new CorruptRecordError('too short');
  const dataName = bytes.toString('ascii', at, at + nameLength);
  checkDataName(dataName);
  at += nameLength;
  const size = bytes.readBigUInt64BE(at);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new CorruptRecordError('data size too large');
  at += 8;
  const metaLength = bytes.readUInt32BE(at);
  at += 4;
  if (bytes.length !== at + metaLength) throw new CorruptRecordError('length mismatch');
  return { dataName, dataSize: Number(size), metadata: Buffer.from(bytes.subarray(at)) };
}
