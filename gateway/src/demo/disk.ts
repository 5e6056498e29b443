/**
 * The demo's readings of a data directory, made from the files themselves rather than through
 * the gateway: an object's storage record (via storage's pure record parser), the gateway
 * metadata inside it (via the strict metadata parser), the first bytes of its data file, and
 * which KMS key material the wrapped data key names (the blob's clear prefix).
 */
import { cp, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseBlob } from '@kmsgate/kms-core';
import { decodeObjectRecord } from '@kmsgate/storage';
import { HEADER_SIZE } from '../sse/format/gwse.js';
import { parseMetadata, type ObjectMetadata } from '../sse/metadata.js';
import { keyFingerprint } from '../sse/data-key-observer.js';
import { LOCK_NAME } from '../data-dir-lock.js';
import { GENERATED_NAME as ROOT_KEY_NAME } from '../identity/root-key.js';

export interface ObjectOnDisk {
  /** Relative to the data directory. */
  recordFile: string;
  /** Where the stored bytes are: the record itself for a small object, else its data file. */
  dataFile: string;
  inline: boolean;
  dataFileSize: number;
  metadata: ObjectMetadata;
  /** The wrapped data key: its size and fingerprint (it is ciphertext, but stays short here too). */
  wrappedKey: { bytes: number; fingerprint: string; keyMaterialVersion: number };
  /** The file's first bytes: the GWSE header's magic, then the first bytes of the first segment. */
  headerStart: Buffer;
  ciphertextStart: Buffer;
  /** Whether any 32-byte sample of the plaintext occurs anywhere in the data file. */
  plaintextInFile: boolean;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

/** Bucket names are lower-case letters, digits, dots and hyphens: storage keeps them unescaped after its "b". */
function bucketDir(dataDir: string, bucket: string): string {
  return join(dataDir, 'objects', 'buckets', `b${bucket}`);
}

function samplesOf(plaintext: Buffer): Buffer[] {
  const width = Math.min(32, plaintext.length);
  const middle = Math.floor((plaintext.length - width) / 2);
  return [0, middle, plaintext.length - width].map((at) => plaintext.subarray(at, at + width));
}

/** Material version named by a kms-core blob (1 = the key's first material). */
export function keyMaterialVersionOf(wrappedDekBase64: string): number {
  return parseBlob(Buffer.from(wrappedDekBase64, 'base64')).materialVersion;
}

async function dataFileOf(bucketDir: string, dataName: string): Promise<string> {
  const dataPath = (await filesUnder(join(bucketDir, 'data'))).find((p) => p.endsWith(`/${dataName}`));
  if (!dataPath) throw new Error(`a record names data file ${dataName}, which is not on disk`);
  return dataPath;
}

export async function readObjectOnDisk(dataDir: string, bucket: string, key: string, plaintext: Buffer): Promise<ObjectOnDisk> {
  const dir = bucketDir(dataDir, bucket);
  const arn = Buffer.from(`"aws:s3:arn":${JSON.stringify(`arn:aws:s3:::${bucket}/${key}`)}`);
  for (const recordPath of await filesUnder(join(dir, 'keys'))) {
    const bytes = await readFile(recordPath);
    if (!bytes.includes(arn)) continue;
    const record = decodeObjectRecord(bytes);
    const metadata = parseMetadata(record.metadata);
    // A small object's stored bytes are kept inline, in its record.
    const dataPath = record.inline ? recordPath : await dataFileOf(dir, record.files[0]!.name);
    const data = record.inline ?? (await readFile(dataPath));
    const wrapped = Buffer.from(metadata.wrappedDek, 'base64');
    return {
      recordFile: relative(dataDir, recordPath),
      dataFile: relative(dataDir, dataPath),
      inline: record.inline !== null,
      dataFileSize: data.length,
      metadata,
      wrappedKey: { bytes: wrapped.length, fingerprint: keyFingerprint(wrapped), keyMaterialVersion: keyMaterialVersionOf(metadata.wrappedDek) },
      headerStart: data.subarray(0, 8),
      ciphertextStart: data.subarray(HEADER_SIZE, HEADER_SIZE + 16),
      plaintextInFile: samplesOf(plaintext).some((sample) => (record.inline ? bytes : data).includes(sample)),
    };
  }
  throw new Error(`no record of ${bucket}/${key} under ${relative(dataDir, dir)}`);
}

/**
 * What the copy leaves out: the live owner's lock (it would refuse the copy for being in use,
 * hiding the answer that matters) and a root key kept beside the data.
 */
const NOT_COPIED = new Set([LOCK_NAME, ROOT_KEY_NAME]);

/**
 * Copies a data directory as a thief with the disk would, less the root key if it lies there.
 * Returns whether it did lie there (a full copy would then open: the demo says so).
 */
export async function copyDataDir(from: string, to: string): Promise<{ rootKeyInDataDir: boolean }> {
  const top = await readdir(from);
  await cp(from, to, { recursive: true, filter: (src) => !NOT_COPIED.has(relative(from, src)) });
  return { rootKeyInDataDir: top.includes(ROOT_KEY_NAME) };
}
