// A key-tree directory's listing summary as the filesystem store persists it
// (fs-listing-summaries.ts): the listing entry of every object record directly in the
// directory, by record name. Pure: no I/O.
//
// Layout (integers and numbers big-endian):
//   1. magic       4 bytes  "KGLS"
//   2. version     1 byte   0x01
//   3. generation  8 bytes  float64, a safe integer: the store session it was written in
//   4. dirLength   2 bytes  uint16 d
//   5. dir         d bytes  the directory below keys/, as UTF-8 ("" for keys/ itself)
//   6. count       4 bytes  uint32 n, then n entries:
//        nameLength 1 byte, name (ASCII, the record's file name), size float64,
//        lastModified float64 (ms since epoch), flags 1 byte (bit 0: checksumAlgorithm,
//        bit 1: checksumType follow), then etag, storageClass and the flagged texts,
//        each as uint16 length ‖ UTF-8
//   7. digest     16 bytes  the first 16 bytes of SHA-256 over everything before it
//   Nothing may follow. Anything else, or a digest that does not match, decodes as null:
//   a damaged summary is never trusted, and the records it stands for are read instead.
import { createHash } from 'node:crypto';
import type { ListingEntry } from './object-store.js';

const MAGIC = Buffer.from('KGLS', 'ascii');
const VERSION = 1;
const DIGEST_BYTES = 16;
const HAS_ALGORITHM = 1;
const HAS_TYPE = 2;

export interface DirSummary {
  generation: number;
  /** The directory below keys/ ("" for keys/ itself). */
  dir: string;
  entries: ReadonlyMap<string, ListingEntry>;
}

const digestOf = (bytes: Buffer): Buffer => createHash('sha256').update(bytes).digest().subarray(0, DIGEST_BYTES);

/** Writes into one buffer sized up front: a summary can hold a directory of 200,000 entries. */
class Writer {
  at = 0;

  constructor(readonly out: Buffer) {}

  static textBytes(value: string, width: 1 | 2): number {
    const length = Buffer.byteLength(value, 'utf8');
    if (length >= 2 ** (8 * width)) throw new RangeError('summary text too long');
    return width + length;
  }

  uint(value: number, width: 1 | 2 | 4): void {
    this.at = this.out.writeUIntBE(value, this.at, width);
  }

  number(value: number): void {
    this.at = this.out.writeDoubleBE(value, this.at);
  }

  text(value: string, width: 1 | 2): void {
    const length = Buffer.byteLength(value, 'utf8');
    this.uint(length, width);
    this.at += this.out.write(value, this.at, 'utf8');
  }
}

const texts = (entry: ListingEntry): string[] =>
  [entry.etag, entry.storageClass, entry.checksumAlgorithm, entry.checksumType].filter((t): t is string => t !== undefined);

export function encodeDirSummary(summary: DirSummary): Buffer {
  if (!Number.isSafeInteger(summary.generation) || summary.generation < 0) throw new RangeError('generation must be a non-negative safe integer');
  let size = MAGIC.length + 1 + 8 + Writer.textBytes(summary.dir, 2) + 4;
  for (const [name, entry] of summary.entries) {
    size += Writer.textBytes(name, 1) + 8 + 8 + 1;
    for (const text of texts(entry)) size += Writer.textBytes(text, 2);
  }
  const out = new Writer(Buffer.alloc(size + DIGEST_BYTES));
  out.at = MAGIC.copy(out.out, 0);
  out.uint(VERSION, 1);
  out.number(summary.generation);
  out.text(summary.dir, 2);
  out.uint(summary.entries.size, 4);
  for (const [name, entry] of summary.entries) {
    out.text(name, 1);
    out.number(entry.size);
    out.number(entry.lastModified.getTime());
    out.uint((entry.checksumAlgorithm !== undefined ? HAS_ALGORITHM : 0) | (entry.checksumType !== undefined ? HAS_TYPE : 0), 1);
    for (const text of texts(entry)) out.text(text, 2);
  }
  digestOf(out.out.subarray(0, size)).copy(out.out, size);
  return out.out;
}

class Truncated extends Error {}

class Reader {
  at = 0;

  constructor(private readonly bytes: Buffer) {}

  private take(length: number): number {
    const start = this.at;
    if (start + length > this.bytes.length) throw new Truncated();
    this.at += length;
    return start;
  }

  uint(width: 1 | 2 | 4): number {
    const at = this.take(width);
    const bytes = this.bytes;
    return width === 1 ? bytes[at] : width === 2 ? (bytes[at] << 8) | bytes[at + 1] : bytes.readUInt32BE(at);
  }

  number(): number {
    return this.bytes.readDoubleBE(this.take(8));
  }

  text(width: 1 | 2, encoding: 'utf8' | 'latin1' = 'utf8'): string {
    const length = this.uint(width);
    const start = this.take(length);
    return this.bytes.toString(encoding, start, start + length);
  }

  /**
   * A text that tends to repeat from entry to entry (a storage class, a checksum
   * algorithm): equal bytes to the last one read at `slot` give the same string, so a
   * directory of 10,000 entries decodes one "STANDARD", not 10,000.
   */
  repeated(slot: Repeat): string {
    const length = this.uint(2);
    const start = this.take(length);
    if (slot.value !== undefined && length === slot.length && this.sameBytes(slot.start, start, length)) return slot.value;
    slot.start = start;
    slot.length = length;
    slot.value = this.bytes.toString('utf8', start, start + length);
    return slot.value;
  }

  private sameBytes(a: number, b: number, length: number): boolean {
    const bytes = this.bytes;
    for (let i = 0; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return false;
    return true;
  }
}

interface Repeat {
  start: number;
  length: number;
  value: string | undefined;
}

const repeat = (): Repeat => ({ start: 0, length: 0, value: undefined });

const isSafeCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/** The summary, or null for anything this layout would not write whole. */
export function decodeDirSummary(bytes: Buffer): (DirSummary & { entries: Map<string, ListingEntry> }) | null {
  if (bytes.length < MAGIC.length + 1 + DIGEST_BYTES) return null;
  const body = bytes.subarray(0, bytes.length - DIGEST_BYTES);
  if (!digestOf(body).equals(bytes.subarray(body.length))) return null;
  if (!body.subarray(0, MAGIC.length).equals(MAGIC) || body[MAGIC.length] !== VERSION) return null;
  const input = new Reader(body);
  input.at = MAGIC.length + 1;
  try {
    const generation = input.number();
    const dir = input.text(2);
    const count = input.uint(4);
    if (!isSafeCount(generation)) return null;
    const entries = new Map<string, ListingEntry>();
    const storageClass = repeat();
    const algorithm = repeat();
    const type = repeat();
    for (let i = 0; i < count; i++) {
      const name = input.text(1, 'latin1'); // a record's file name: ASCII
      const size = input.number();
      const lastModified = input.number();
      const flags = input.uint(1);
      const entry: ListingEntry = { size, lastModified: new Date(lastModified), etag: input.text(2), storageClass: input.repeated(storageClass) };
      if (flags & HAS_ALGORITHM) entry.checksumAlgorithm = input.repeated(algorithm);
      if (flags & HAS_TYPE) entry.checksumType = input.repeated(type);
      if (!isSafeCount(size) || !Number.isSafeInteger(lastModified) || flags > (HAS_ALGORITHM | HAS_TYPE)) return null;
      entries.set(name, entry);
    }
    if (input.at !== body.length || entries.size !== count) return null;
    return { generation, dir, entries };
  } catch (err) {
    if (err instanceof Truncated) return null;
    throw err;
  }
}
