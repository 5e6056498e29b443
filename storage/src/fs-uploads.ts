// Multipart uploads on the filesystem backend. Each upload in progress is one directory:
//
//   <bucket>/uploads/<uploadId>/
//     upload             {"version":1,"key","initiated","record"}  (record: the gateway's, base64)
//     <attempt>.data     one part attempt's data bytes, as written
//     part-<n>           {"version":1,"attempt","size","lastModified","metadata"}: the
//                        latest attempt at part n, replaced by rename
//     completing         {"version":1,"files":[...]} while a completion runs (below)
//
// Creating renames a finished directory from tmp/ into uploads/, so an upload is either
// there whole or not at all; aborting renames it back into tmp/ before deleting it.
// Completing never copies data: the kept attempts are hard-linked into data/ under fresh
// names, the object record naming them is renamed into place (the commit point), and the
// upload directory goes. The `completing` marker, written before the first link, lets the
// sweep at open finish or undo a completion a crash interrupted: if the key's record names
// the marker's files the completion happened and the upload is removed; if not, the links
// are removed and the upload stays in progress, as it was.
import { link, mkdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { NoSuchUploadError, StorageError } from './errors.js';
import type { FsLayout } from './fs-layout.js';
import { DIR_MODE, fsyncDir, isErrno, readdirOrEmpty, uniqueName, writeFileSynced } from './fs-util.js';
import type { StoredPart, UploadInfo } from './object-store.js';

const UPLOAD_ID = /^[0-9a-f]{32}$/;
const PART_FILE = /^part-([1-9][0-9]{0,4})$/;
const MARKER = 'completing';

function uploadsDir(layout: FsLayout, bucket: string): string {
  return join(layout.bucketDir(bucket), 'uploads');
}

/** The directory of an upload; an id we could not have issued names no upload. */
export function uploadDir(layout: FsLayout, bucket: string, uploadId: string): string {
  if (!UPLOAD_ID.test(uploadId)) throw new NoSuchUploadError(bucket, uploadId);
  return join(uploadsDir(layout, bucket), uploadId);
}

export const partDataPath = (dir: string, attempt: string): string => join(dir, `${attempt}.data`);

function jsonOf(bytes: Buffer, what: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(bytes.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || (parsed as { version?: unknown }).version !== 1) {
    throw new StorageError(`corrupt ${what}`);
  }
  return parsed as Record<string, unknown>;
}

function stringField(r: Record<string, unknown>, name: string, what: string): string {
  const value = r[name];
  if (typeof value !== 'string') throw new StorageError(`corrupt ${what}: ${name}`);
  return value;
}

export async function createUploadDir(layout: FsLayout, bucket: string, key: string, record: Buffer): Promise<UploadInfo> {
  const uploadId = uniqueName();
  const initiated = new Date();
  const staging = layout.tmpPath('upload', uniqueName());
  await mkdir(staging, { mode: DIR_MODE });
  try {
    const body = { version: 1, key, initiated: initiated.toISOString(), record: record.toString('base64') };
    await writeFileSynced(join(staging, 'upload'), Buffer.from(JSON.stringify(body)));
    await fsyncDir(staging);
    await mkdir(uploadsDir(layout, bucket), { mode: DIR_MODE }).catch((err: unknown) => {
      if (!isErrno(err, 'EEXIST')) throw err;
    });
    await rename(staging, uploadDir(layout, bucket, uploadId));
    await fsyncDir(uploadsDir(layout, bucket));
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  return { key, uploadId, initiated, record };
}

async function readUploadFile(dir: string): Promise<Omit<UploadInfo, 'uploadId'> | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, 'upload'));
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return null;
    throw err;
  }
  const r = jsonOf(bytes, 'upload record');
  const initiated = new Date(stringField(r, 'initiated', 'upload record'));
  return { key: stringField(r, 'key', 'upload record'), initiated, record: Buffer.from(stringField(r, 'record', 'upload record'), 'base64') };
}

/** The upload, if it is in progress for this key. */
export async function readUpload(layout: FsLayout, bucket: string, key: string, uploadId: string): Promise<UploadInfo> {
  const found = await readUploadFile(uploadDir(layout, bucket, uploadId));
  if (!found || found.key !== key) throw new NoSuchUploadError(bucket, uploadId);
  return { ...found, uploadId };
}

/** Every upload of the bucket; an upload directory a crash left without its record is skipped. */
export async function readAllUploads(layout: FsLayout, bucket: string): Promise<UploadInfo[]> {
  const out: UploadInfo[] = [];
  for (const uploadId of await readdirOrEmpty(uploadsDir(layout, bucket))) {
    if (!UPLOAD_ID.test(uploadId)) continue;
    const found = await readUploadFile(join(uploadsDir(layout, bucket), uploadId));
    if (found) out.push({ ...found, uploadId });
  }
  return out;
}

export async function readParts(dir: string): Promise<StoredPart[]> {
  const parts: StoredPart[] = [];
  for (const name of await readdirOrEmpty(dir)) {
    const match = PART_FILE.exec(name);
    if (!match) continue;
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, name));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) continue; // removed with its upload meanwhile
      throw err;
    }
    const r = jsonOf(bytes, 'part record');
    const size = r.size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new StorageError('corrupt part record: size');
    parts.push({
      partNumber: Number(match[1]),
      attempt: stringField(r, 'attempt', 'part record'),
      size,
      lastModified: new Date(stringField(r, 'lastModified', 'part record')),
      metadata: Buffer.from(stringField(r, 'metadata', 'part record'), 'base64'),
    });
  }
  return parts.sort((a, b) => a.partNumber - b.partNumber);
}

/**
 * Moves a synced part attempt into its upload and makes it the part's latest, deleting the
 * attempt it replaces. The caller holds the upload's lock and has checked it is in progress.
 */
export async function installPart(layout: FsLayout, dir: string, partNumber: number, tmpData: string, size: number, metadata: Buffer): Promise<StoredPart> {
  const attempt = uniqueName();
  const previous = (await readParts(dir)).find((p) => p.partNumber === partNumber);
  await rename(tmpData, partDataPath(dir, attempt));
  const lastModified = new Date();
  const tmpRecord = layout.tmpPath('partrec', uniqueName());
  const body = { version: 1, attempt, size, lastModified: lastModified.toISOString(), metadata: metadata.toString('base64') };
  try {
    await writeFileSynced(tmpRecord, Buffer.from(JSON.stringify(body)));
    await rename(tmpRecord, join(dir, `part-${partNumber}`));
    await fsyncDir(dir);
  } catch (err) {
    await unlink(tmpRecord).catch(() => {});
    await unlink(partDataPath(dir, attempt)).catch(() => {});
    throw err;
  }
  if (previous) await unlink(partDataPath(dir, previous.attempt)).catch(() => {});
  return { partNumber, attempt, size, lastModified, metadata };
}

/** Takes the upload out of view at once, then deletes it and every part file in it. */
export async function removeUploadDir(layout: FsLayout, dir: string): Promise<void> {
  const trash = layout.tmpPath('trash', uniqueName());
  await rename(dir, trash);
  await fsyncDir(dirname(dir));
  await rm(trash, { recursive: true, force: true });
}

export async function writeMarker(layout: FsLayout, dir: string, files: readonly string[]): Promise<void> {
  const tmp = layout.tmpPath('marker', uniqueName());
  await writeFileSynced(tmp, Buffer.from(JSON.stringify({ version: 1, files })));
  await rename(tmp, join(dir, MARKER));
  await fsyncDir(dir);
}

async function readMarker(dir: string): Promise<string[] | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, MARKER));
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw err;
  }
  const files = jsonOf(bytes, 'completion marker').files;
  if (!Array.isArray(files) || !files.every((f) => typeof f === 'string' && /^[0-9a-f]{32}$/.test(f))) throw new StorageError('corrupt completion marker');
  return files as string[];
}

/** Links the kept attempts into data/ under the given fresh names, durably. */
export async function linkParts(layout: FsLayout, bucket: string, dir: string, attempts: readonly string[], names: readonly string[]): Promise<void> {
  const shards = new Set<string>();
  for (const [i, attempt] of attempts.entries()) {
    const target = layout.dataPath(bucket, names[i]);
    await mkdir(dirname(target), { mode: DIR_MODE }).catch((err: unknown) => {
      if (!isErrno(err, 'EEXIST')) throw err;
    });
    await link(partDataPath(dir, attempt), target);
    shards.add(dirname(target));
  }
  for (const shard of shards) await fsyncDir(shard);
}

/** Undoes linkParts and the marker of a completion that did not commit. */
export async function unlinkCompletion(layout: FsLayout, bucket: string, dir: string, names: readonly string[]): Promise<void> {
  for (const name of names) await unlink(layout.dataPath(bucket, name)).catch(() => {});
  await unlink(join(dir, MARKER)).catch(() => {});
}

/**
 * At open: every upload a crash left mid-completion is finished (the key's record names the
 * marker's files) or rolled back (it does not); a directory without its upload record (a
 * crash while creating cannot leave one, but a damaged disk can) is removed. Returns how
 * many completions were settled.
 */
export async function settleCompletions(
  layout: FsLayout, bucket: string, recordNames: (key: string) => Promise<readonly string[]>,
): Promise<number> {
  let settled = 0;
  for (const uploadId of await readdirOrEmpty(uploadsDir(layout, bucket))) {
    const dir = join(uploadsDir(layout, bucket), uploadId);
    const upload = await readUploadFile(dir);
    if (!upload) {
      await removeUploadDir(layout, dir);
      continue;
    }
    const files = await readMarker(dir);
    if (!files) continue;
    settled++;
    const current = await recordNames(upload.key);
    if (files.length > 0 && current.includes(files[0])) await removeUploadDir(layout, dir);
    else await unlinkCompletion(layout, bucket, dir, files);
  }
  return settled;
}

