// Helpers shared by the ObjectStore contract suite and backend-specific tests.
import type { Readable } from 'node:stream';
import type { CommitOptions, ListedItem, ListingEntry, ObjectStore } from './object-store.js';

export interface ContractFixture {
  store: ObjectStore;
  cleanup(): Promise<void>;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function putObject(
  store: ObjectStore, bucket: string, key: string, data: Buffer, metadata: Buffer, options?: CommitOptions,
): Promise<void> {
  const pending = await store.beginPut(bucket, key);
  await new Promise<void>((resolve, reject) => {
    pending.stream.once('error', reject);
    pending.stream.once('finish', resolve);
    // Several writes, so backends see a stream rather than one buffer.
    for (let at = 0; at < data.length; at += 65536) pending.stream.write(data.subarray(at, at + 65536));
    pending.stream.end();
  });
  await pending.commit(metadata, options);
}

/** A listing entry whose fields all derive from `seed`, so tests can tell entries apart. */
export function listingEntry(seed: string, size = seed.length): ListingEntry {
  const hex = Buffer.from(seed).toString('hex').padEnd(32, '0').slice(0, 32);
  return { size, etag: hex, lastModified: new Date(Date.UTC(2024, 0, 1) + size * 1000), storageClass: 'STANDARD' };
}

export async function getData(store: ObjectStore, bucket: string, key: string): Promise<{ data: Buffer; metadata: Buffer }> {
  const object = await store.getObject(bucket, key);
  try {
    return { data: await readAll(object.read()), metadata: object.metadata };
  } finally {
    await object.close();
  }
}

/** Keys that break naive path mapping; all valid S3 keys. */
export const ODD_KEYS: readonly string[] = [
  '../../escape',
  '..',
  '.',
  '../',
  './a',
  'a/../b',
  '//',
  'a//b',
  '/leading',
  'trailing/',
  '/',
  'with space',
  '100%',
  '%2F',
  'back\\slash',
  'ctrl\u0001\u001f\u007f',
  'new\nline',
  'é/ü/中文',
  '😀',
  '\uFFFD',
  'x'.repeat(1024),
  'a/'.repeat(512),
  '\u0001'.repeat(1024),
  '中'.repeat(341),
];

export const keyOrder = (keys: readonly string[]): string[] =>
  [...keys].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));


export const meta = (s: string): Buffer => Buffer.from(`meta:${s}`);

/** What each part of the suite needs: the current test's store and its bucket. */
export interface ContractContext {
  store(): ObjectStore;
  readonly bucket: string;
}

/** The object keys of a listing page, in order. */
export const keysOf = (page: { items: readonly ListedItem[] }): string[] =>
  page.items.flatMap((item) => (item.kind === 'object' ? [item.key] : []));
