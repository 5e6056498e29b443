// The filesystem backend's multipart files: uploads survive a reopen, abort and completion
// leave no part file behind, and a completion cut short by a crash is settled at open.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { cp, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { putPart, readPieces } from './contract.js';
import { NoSuchKeyError } from './errors.js';
import { FsObjectStore } from './fs-store.js';
import { closeTempStore, openTempStore } from './test-fixtures.js';
import { linkParts, writeMarker } from './fs-uploads.js';
import { FsLayout } from './fs-layout.js';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else out.push(full);
  }
  return out;
}

describe('FsObjectStore multipart files', () => {
  let dir: string;
  let root: string;
  let store: FsObjectStore;
  const bucket = 'mp-bucket';
  const bucketDir = (): string => join(root, 'buckets', `b${bucket}`);
  const uploadsDir = (): string => join(bucketDir(), 'uploads');

  beforeEach(async () => {
    ({ dir, root, store } = await openTempStore('kmsgate-mp-', bucket));
  });
  afterEach(() => closeTempStore({ dir, root, store }));

  it('keeps uploads and their parts across a reopen', async () => {
    const upload = await store.createUpload(bucket, 'k', Buffer.from('rec'));
    await putPart(store, bucket, 'k', upload.uploadId, 2, Buffer.from('two'));
    await store.close();
    store = await FsObjectStore.open(root);
    expect(await store.getUpload(bucket, 'k', upload.uploadId)).toEqual(upload);
    expect((await store.listParts(bucket, 'k', upload.uploadId)).map((p) => p.size)).toEqual([3]);
  });

  it('removes every part file on abort and on completion, and a replaced attempt at once', async () => {
    const a = await store.createUpload(bucket, 'a', Buffer.from('r'));
    for (const n of [1, 2, 2, 3]) await putPart(store, bucket, 'a', a.uploadId, n, Buffer.alloc(1000, n));
    expect((await filesUnder(uploadsDir())).filter((f) => f.endsWith('.data')).length).toBe(3);
    await store.abortUpload(bucket, 'a', a.uploadId);
    expect(await filesUnder(uploadsDir())).toEqual([]);

    const b = await store.createUpload(bucket, 'b', Buffer.from('r'));
    const kept = await putPart(store, bucket, 'b', b.uploadId, 1, Buffer.from('kept'));
    await putPart(store, bucket, 'b', b.uploadId, 2, Buffer.from('dropped'));
    await store.completeUpload(bucket, 'b', b.uploadId, [{ partNumber: 1, attempt: kept.attempt }], Buffer.from('m'));
    expect(await filesUnder(uploadsDir())).toEqual([]);
    expect((await filesUnder(join(bucketDir(), 'data'))).length).toBe(1);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  /** Lays down what a completion leaves on disk once its links are made, and returns the link names. */
  async function completionCutAfterLinks(key: string): Promise<{ uploadId: string; names: string[] }> {
    const { uploadId } = await store.createUpload(bucket, key, Buffer.from('r'));
    const part = await putPart(store, bucket, key, uploadId, 1, Buffer.from('partdata'));
    const layout = new FsLayout(root);
    const names = ['ab'.repeat(16)];
    const upload = join(uploadsDir(), uploadId);
    await writeMarker(layout, upload, names);
    await linkParts(layout, bucket, upload, [part.attempt], names);
    return { uploadId, names };
  }

  it('rolls back a completion that crashed before its record was committed', async () => {
    const { uploadId } = await completionCutAfterLinks('cut');
    await store.close();
    store = await FsObjectStore.open(root);
    await expect(store.headObject(bucket, 'cut')).rejects.toBeInstanceOf(NoSuchKeyError);
    expect((await store.listParts(bucket, 'cut', uploadId)).length).toBe(1);
    expect(await filesUnder(join(bucketDir(), 'data'))).toEqual([]);
    // Still in progress, so the client's retry completes it.
    const [part] = await store.listParts(bucket, 'cut', uploadId);
    await store.completeUpload(bucket, 'cut', uploadId, [{ partNumber: 1, attempt: part.attempt }], Buffer.from('m'));
    expect(await readPieces(store, bucket, 'cut')).toEqual([Buffer.from('partdata')]);
  });

  it('finishes a completion that crashed after its record was committed', async () => {
    const { uploadId } = await store.createUpload(bucket, 'done', Buffer.from('r'));
    const part = await putPart(store, bucket, 'done', uploadId, 1, Buffer.from('partdata'));
    const saved = join(dir, 'saved-upload');
    await cp(join(uploadsDir(), uploadId), saved, { recursive: true });
    await store.completeUpload(bucket, 'done', uploadId, [{ partNumber: 1, attempt: part.attempt }], Buffer.from('m'));
    // Put back the upload directory the crash would have left, with its marker.
    const [dataFile] = await filesUnder(join(bucketDir(), 'data'));
    await cp(saved, join(uploadsDir(), uploadId), { recursive: true });
    await writeMarker(new FsLayout(root), join(uploadsDir(), uploadId), [dataFile.split('/').pop()!]);
    await store.close();
    store = await FsObjectStore.open(root);
    expect(await store.listUploads(bucket, {})).toEqual([]);
    expect(await filesUnder(uploadsDir())).toEqual([]);
    expect(await readPieces(store, bucket, 'done')).toEqual([Buffer.from('partdata')]);
    expect((await stat(dataFile)).nlink).toBe(1);
  });
});
