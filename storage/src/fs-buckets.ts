// Bucket directories of the filesystem store. Callers hold the bucket's lock.
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BucketExistsError, NoSuchBucketError, StorageError } from './errors.js';
import type { FsLayout } from './fs-layout.js';
import { DIR_MODE, fsyncDir, isErrno, readdirOrEmpty, uniqueName, writeFileSynced } from './fs-util.js';
import { parseBucketDirName } from './key-path.js';
import type { BucketInfo } from './object-store.js';

export async function createBucketDir(layout: FsLayout, name: string): Promise<void> {
  const target = layout.bucketDir(name);
  // Built aside and renamed in, so a bucket directory is always complete. rename() refuses
  // a non-empty target, and an existing bucket always holds bucket.json.
  const staging = layout.tmpPath('bucket', uniqueName());
  await mkdir(staging, { mode: DIR_MODE });
  try {
    const record = { version: 1, creationDate: new Date().toISOString() };
    await writeFileSynced(join(staging, 'bucket.json'), Buffer.from(JSON.stringify(record)));
    await mkdir(join(staging, 'keys'), { mode: DIR_MODE });
    await mkdir(join(staging, 'data'), { mode: DIR_MODE });
    await fsyncDir(staging);
    await rename(staging, target);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    if (isErrno(err, 'EEXIST', 'ENOTEMPTY')) throw new BucketExistsError(name);
    throw err;
  }
  await fsyncDir(layout.bucketsDir);
}

export async function readBucketInfo(layout: FsLayout, name: string): Promise<BucketInfo> {
  let text: string;
  try {
    text = await readFile(layout.bucketRecord(name), 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) throw new NoSuchBucketError(name);
    throw err;
  }
  const parsed: unknown = JSON.parse(text);
  const date =
    typeof parsed === 'object' && parsed !== null && 'creationDate' in parsed && typeof parsed.creationDate === 'string'
      ? new Date(parsed.creationDate)
      : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw new StorageError(`corrupt bucket record: ${name}`);
  return { name, creationDate: date };
}

export async function listBucketInfos(layout: FsLayout): Promise<BucketInfo[]> {
  const infos: BucketInfo[] = [];
  for (const entry of await readdirOrEmpty(layout.bucketsDir)) {
    const name = parseBucketDirName(entry);
    if (name === null) continue;
    try {
      infos.push(await readBucketInfo(layout, name));
    } catch (err) {
      if (!(err instanceof NoSuchBucketError)) throw err; // deleted meanwhile
    }
  }
  return infos.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
}

/** Removes a bucket directory; the caller has checked that it holds no object. */
export async function removeBucketDir(layout: FsLayout, name: string): Promise<void> {
  // Renamed away first so the bucket vanishes atomically, then removed at leisure.
  const trash = layout.tmpPath('trash', uniqueName());
  await rename(layout.bucketDir(name), trash);
  await fsyncDir(layout.bucketsDir);
  await rm(trash, { recursive: true, force: true });
}

/** The configuration record, or null if none was ever written. */
export async function readBucketConfig(layout: FsLayout, name: string): Promise<Buffer | null> {
  try {
    return await readFile(layout.bucketConfig(name));
  } catch (err) {
    if (!isErrno(err, 'ENOENT', 'ENOTDIR')) throw err;
  }
  await readBucketInfo(layout, name); // NoSuchBucket, or a bucket that has no record yet
  return null;
}

/** Writes the configuration aside, fsynced, then renames it in and fsyncs the bucket folder. */
export async function writeBucketConfig(layout: FsLayout, name: string, bytes: Buffer): Promise<void> {
  const staging = layout.tmpPath('config', uniqueName());
  await writeFileSynced(staging, bytes);
  try {
    await rename(staging, layout.bucketConfig(name));
  } catch (err) {
    await rm(staging, { force: true });
    throw err;
  }
  await fsyncDir(layout.bucketDir(name));
}
