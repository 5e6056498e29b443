// Reads a key's record file with as few calls as the record allows (object-record.ts): the
// head alone for HEAD, commits, deletes and listings, so an inline object's data is not read
// for them; the whole file, in the same open, for a GET. The store reads through its batching
// reader (fs-record-reader.ts); without one, a read goes through libuv's pool.
import { readSmallFileOrNull, SMALL_READ } from './fs-util.js';
import type { RecordReader } from './fs-record-reader.js';
import { decodeObjectRecord, decodeRecordHead, INLINE_MAX, recordLength, type ObjectRecord, type RecordHead } from './object-record.js';

const headLength = (prefix: Buffer): number | null => recordLength(prefix, false);
// One byte past the record's length: a file longer than its lengths say is then seen as such.
const wholeLength = (prefix: Buffer): number | null => {
  const length = recordLength(prefix, true);
  return length === null ? null : length + 1;
};

/** A first read through the batching reader that holds any inline object whole. */
const WHOLE_READ = INLINE_MAX + SMALL_READ;

export async function readRecordFile(file: string, reader?: RecordReader): Promise<ObjectRecord | null> {
  const bytes = reader ? await readVia(reader, file, WHOLE_READ, wholeLength) : await readSmallFileOrNull(file, wholeLength);
  return bytes && decodeObjectRecord(bytes);
}

export async function readRecordHead(file: string, reader?: RecordReader): Promise<RecordHead | null> {
  const bytes = reader ? await readHeadBytes(reader, file) : await readSmallFileOrNull(file, headLength);
  return bytes && decodeRecordHead(bytes);
}

/**
 * A record's head as bytes, through the batching reader, which reads at most SMALL_READ bytes
 * of a file: a head longer than that (large metadata) is read on here.
 */
export function readHeadBytes(reader: RecordReader, file: string): Promise<Buffer | null> {
  return readVia(reader, file, SMALL_READ, headLength);
}

/**
 * At most `limit` bytes through the batching reader: a file shorter than that is whole; a
 * longer one is cut where its lengths say it may be, or read on here if they say it is longer.
 */
async function readVia(reader: RecordReader, file: string, limit: number, enough: (prefix: Buffer) => number | null): Promise<Buffer | null> {
  const prefix = await reader.read(file, limit);
  if (prefix === null || prefix.length < limit) return prefix;
  const length = enough(prefix);
  if (length !== null && length <= prefix.length) return prefix.subarray(0, length);
  return readSmallFileOrNull(file, enough);
}
