/**
 * Finds an object's files in a gateway data directory the way an attacker with the disk
 * would: by content, not through any API of ours.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeObjectRecord } from '@kmsgate/storage';

export async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(path)));
    else out.push(path);
  }
  return out.sort();
}

export interface ObjectFiles {
  recordPath: string;
  /** The file holding the object's stored bytes: the record itself for a small object kept inline. */
  dataPath: string;
  /** Where in dataPath the stored bytes (the GWSE header) begin: 0 for a data file of its own. */
  dataOffset: number;
}

const GWSE_MAGIC = Buffer.from('GWSE');

/** Where in `bytes` a 96-byte GWSE header hashing to `headerSha256` begins, or -1. */
function headerOffset(bytes: Buffer, headerSha256: string): number {
  for (let at = bytes.indexOf(GWSE_MAGIC); at >= 0 && at + 96 <= bytes.length; at = bytes.indexOf(GWSE_MAGIC, at + 1)) {
    if (createHash('sha256').update(bytes.subarray(at, at + 96)).digest('hex') === headerSha256) return at;
  }
  return -1;
}

/**
 * A listed file's bytes, or null if it went before it was read: the gateway's background work
 * (a listing summary written to tmp/ and renamed into place) runs while a test looks.
 */
async function readIfThere(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The record naming `bucket/key` in its encryption context, and the file (and offset) holding the header it names. */
export async function findObjectFiles(dataDir: string, bucket: string, key: string): Promise<ObjectFiles> {
  const files = await allFiles(dataDir);
  const needle = Buffer.from(JSON.stringify({ 'aws:s3:arn': `arn:aws:s3:::${bucket}/${key}` }).slice(1, -1));
  let recordPath: string | undefined;
  let headerSha256: string | undefined;
  for (const file of files) {
    const bytes = await readIfThere(file);
    if (!bytes?.includes(needle)) continue;
    recordPath = file;
    headerSha256 = /"headerSha256":"([0-9a-f]{64})"/.exec(bytes.toString('latin1'))?.[1];
  }
  if (!recordPath || !headerSha256) throw new Error(`no record for ${bucket}/${key}`);
  const inline = headerOffset(await readFile(recordPath), headerSha256);
  if (inline >= 0) return { recordPath, dataPath: recordPath, dataOffset: inline };
  for (const file of files) {
    const bytes = await readIfThere(file);
    if (bytes && bytes.length >= 96 && createHash('sha256').update(bytes.subarray(0, 96)).digest('hex') === headerSha256) {
      return { recordPath, dataPath: file, dataOffset: 0 };
    }
  }
  throw new Error(`no data file for ${bucket}/${key}`);
}

/**
 * The gateway's JSON record inside a storage record file, framed as storage frames it: taken
 * by storage's own decoder, since the framing's binary lengths may hold any byte (a `{` too).
 */
export async function gatewayRecordIn<T = Record<string, unknown>>(recordPath: string): Promise<T> {
  return JSON.parse(decodeObjectRecord(await readFile(recordPath)).metadata.toString('utf8')) as T;
}

/**
 * The files under `dir` that hold any sample of any of `plaintexts`: its first, middle and
 * last 32 bytes, so a leak of part of an object is caught as well as a whole copy.
 */
export async function filesHoldingPlaintext(dir: string, plaintexts: Iterable<Buffer>): Promise<string[]> {
  const samples: Buffer[] = [];
  for (const text of plaintexts) {
    const width = Math.min(32, text.length);
    const middle = Math.floor((text.length - width) / 2);
    for (const start of [0, middle, text.length - width]) samples.push(text.subarray(start, start + width));
  }
  const leaking: string[] = [];
  for (const file of await allFiles(dir)) {
    const bytes = await readIfThere(file);
    if (bytes && samples.some((sample) => bytes.includes(sample))) leaking.push(file);
  }
  return leaking;
}
