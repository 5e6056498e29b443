// ObjectStore contract: multipart uploads (parts, re-uploads, completion keeping only the
// named parts, abort, listing, races between completion, abort and part commits).
import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { NoSuchKeyError, NoSuchUploadError, PartChangedError } from './errors.js';
import { getData, keysOf, listingEntry, meta, putObject, readAll, type ContractContext } from './contract-helpers.js';
import type { ObjectStore, StoredPart } from './object-store.js';

export async function putPart(store: ObjectStore, bucket: string, key: string, uploadId: string, partNumber: number, data: Buffer): Promise<StoredPart> {
  const pending = await store.beginPart(bucket, key, uploadId, partNumber);
  await new Promise<void>((resolve, reject) => {
    pending.stream.once('error', reject);
    pending.stream.once('finish', resolve);
    pending.stream.end(data);
  });
  return pending.commit(meta(`part${partNumber}:${data.length}`));
}

/** Every piece of an object, in order. */
export async function readPieces(store: ObjectStore, bucket: string, key: string): Promise<Buffer[]> {
  const object = await store.getObject(bucket, key);
  try {
    const out: Buffer[] = [];
    for (const [i, size] of object.pieces.entries()) out.push(size === 0 ? Buffer.alloc(0) : await readAll(object.read(undefined, i)));
    return out;
  } finally {
    await object.close();
  }
}

export function describeMultipartCases(ctx: ContractContext): void {
  const { bucket } = ctx;
  const store = (): ObjectStore => ctx.store();

  describe('multipart uploads', () => {
    it('keeps the upload record, the parts by number and their latest attempt', async () => {
      const upload = await store().createUpload(bucket, 'mp/key', meta('upload'));
      expect(await store().getUpload(bucket, 'mp/key', upload.uploadId)).toEqual(upload);
      await putPart(store(), bucket, 'mp/key', upload.uploadId, 3, Buffer.from('three'));
      const first = await putPart(store(), bucket, 'mp/key', upload.uploadId, 1, Buffer.from('one'));
      const again = await putPart(store(), bucket, 'mp/key', upload.uploadId, 1, Buffer.from('ONE!'));
      expect(again.attempt).not.toBe(first.attempt);
      const parts = await store().listParts(bucket, 'mp/key', upload.uploadId);
      expect(parts.map((p) => [p.partNumber, p.size, p.metadata.toString()])).toEqual([[1, 4, 'meta:part1:4'], [3, 5, 'meta:part3:5']]);
      expect(parts[0].attempt).toBe(again.attempt);
    });

    it('completes with the named parts only, in order, as separate pieces', async () => {
      const { uploadId } = await store().createUpload(bucket, 'assembled', meta('u'));
      const data = [randomBytes(70_000), randomBytes(10), randomBytes(33_333)];
      const stored = [];
      for (const [i, bytes] of data.entries()) stored.push(await putPart(store(), bucket, 'assembled', uploadId, i + 1, bytes));
      await putPart(store(), bucket, 'assembled', uploadId, 9, Buffer.from('left out'));
      const kept = [stored[0], stored[2]].map(({ partNumber, attempt }) => ({ partNumber, attempt }));
      await store().completeUpload(bucket, 'assembled', uploadId, kept, meta('object'), { listing: listingEntry('obj', 103_333) });
      const pieces = await readPieces(store(), bucket, 'assembled');
      expect(pieces).toEqual([data[0], data[2]]);
      const object = await store().getObject(bucket, 'assembled');
      expect(object.dataSize).toBe(103_333);
      expect(object.metadata).toEqual(meta('object'));
      expect((await readAll(object.read({ start: 5, end: 9 }, 1))).equals(data[2].subarray(5, 10))).toBe(true);
      expect(() => object.read()).toThrow(RangeError);
      await object.close();
      expect(await store().headObject(bucket, 'assembled')).toEqual({ metadata: meta('object'), dataSize: 103_333 });
      // The upload is over: every part with it, a second completion too.
      await expect(store().listParts(bucket, 'assembled', uploadId)).rejects.toBeInstanceOf(NoSuchUploadError);
      await expect(store().completeUpload(bucket, 'assembled', uploadId, kept, meta('x'))).rejects.toBeInstanceOf(NoSuchUploadError);
      expect(await store().listUploads(bucket, {})).toEqual([]);
      expect(keysOf(await store().listObjects(bucket, { limit: 10 }))).toEqual(['assembled']);
    });

    it('replaces and deletes a multipart object like any other', async () => {
      const { uploadId } = await store().createUpload(bucket, 'k', meta('u'));
      const a = await putPart(store(), bucket, 'k', uploadId, 1, Buffer.from('aa'));
      const b = await putPart(store(), bucket, 'k', uploadId, 2, Buffer.from('bb'));
      const handle = await (async () => {
        await store().completeUpload(bucket, 'k', uploadId, [a, b].map(({ partNumber, attempt }) => ({ partNumber, attempt })), meta('mp'));
        return store().getObject(bucket, 'k');
      })();
      await putObject(store(), bucket, 'k', Buffer.from('single'), meta('single'));
      expect((await getData(store(), bucket, 'k')).data.toString()).toBe('single');
      // An open handle still reads the multipart version it opened.
      expect((await readAll(handle.read(undefined, 1))).toString()).toBe('bb');
      await handle.close();
      await store().deleteObject(bucket, 'k');
      await expect(store().headObject(bucket, 'k')).rejects.toBeInstanceOf(NoSuchKeyError);
    });

    it('aborts: the upload and every part go; a part committed afterwards has nowhere to go', async () => {
      const { uploadId } = await store().createUpload(bucket, 'gone', meta('u'));
      await putPart(store(), bucket, 'gone', uploadId, 1, Buffer.from('x'));
      const late = await store().beginPart(bucket, 'gone', uploadId, 2);
      late.stream.end(Buffer.from('late'));
      await new Promise((resolve) => late.stream.once('finish', resolve));
      await store().abortUpload(bucket, 'gone', uploadId);
      await expect(late.commit(meta('late'))).rejects.toBeInstanceOf(NoSuchUploadError);
      await expect(store().abortUpload(bucket, 'gone', uploadId)).rejects.toBeInstanceOf(NoSuchUploadError);
      await expect(store().getUpload(bucket, 'gone', uploadId)).rejects.toBeInstanceOf(NoSuchUploadError);
      await expect(store().beginPart(bucket, 'gone', uploadId, 1)).rejects.toBeInstanceOf(NoSuchUploadError);
    });

    it('names no upload by an unknown id, a malformed id or another key', async () => {
      const { uploadId } = await store().createUpload(bucket, 'mine', meta('u'));
      for (const [key, id] of [['mine', 'f'.repeat(32)], ['mine', '../../etc'], ['mine', ''], ['other', uploadId]]) {
        await expect(store().getUpload(bucket, key, id)).rejects.toBeInstanceOf(NoSuchUploadError);
        await expect(store().abortUpload(bucket, key, id)).rejects.toBeInstanceOf(NoSuchUploadError);
      }
      expect((await store().getUpload(bucket, 'mine', uploadId)).key).toBe('mine');
    });

    it('refuses a completion naming a replaced attempt, and one whose precondition fails, keeping the upload', async () => {
      const { uploadId } = await store().createUpload(bucket, 'cond', meta('u'));
      const old = await putPart(store(), bucket, 'cond', uploadId, 1, Buffer.from('old'));
      const fresh = await putPart(store(), bucket, 'cond', uploadId, 1, Buffer.from('new'));
      const err = await store().completeUpload(bucket, 'cond', uploadId, [{ partNumber: 1, attempt: old.attempt }], meta('o')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PartChangedError);
      await putObject(store(), bucket, 'cond', Buffer.from('exists'), meta('exists'));
      const refused = new Error('exists already');
      const kept = [{ partNumber: 1, attempt: fresh.attempt }];
      await expect(store().completeUpload(bucket, 'cond', uploadId, kept, meta('o'), {
        precondition: (current) => {
          if (current) throw refused;
        },
      })).rejects.toBe(refused);
      expect((await getData(store(), bucket, 'cond')).data.toString()).toBe('exists');
      expect((await store().listParts(bucket, 'cond', uploadId)).map((p) => p.attempt)).toEqual([fresh.attempt]);
      await store().completeUpload(bucket, 'cond', uploadId, kept, meta('o'));
      expect(await readPieces(store(), bucket, 'cond')).toEqual([Buffer.from('new')]);
    });

    it('lets exactly one of a completion and an abort racing win, leaving no half of either', async () => {
      for (let round = 0; round < 5; round++) {
        const key = `race-${round}`;
        const { uploadId } = await store().createUpload(bucket, key, meta('u'));
        const part = await putPart(store(), bucket, key, uploadId, 1, Buffer.from('data'));
        const kept = [{ partNumber: 1, attempt: part.attempt }];
        const results = await Promise.allSettled([
          store().completeUpload(bucket, key, uploadId, kept, meta('o')),
          store().abortUpload(bucket, key, uploadId),
          store().completeUpload(bucket, key, uploadId, kept, meta('o')),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled').length;
        expect(won).toBe(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(NoSuchUploadError);
        const completed = results[1].status === 'rejected';
        if (completed) expect(await readPieces(store(), bucket, key)).toEqual([Buffer.from('data')]);
        else await expect(store().headObject(bucket, key)).rejects.toBeInstanceOf(NoSuchKeyError);
        expect((await store().listUploads(bucket, { prefix: key })).length).toBe(0);
      }
    });

    it('lists uploads by key then initiation, with a prefix and key and upload-id markers', async () => {
      const made = [];
      for (const key of ['b', 'a', 'b', 'c/d', 'b']) made.push(await store().createUpload(bucket, key, meta(key)));
      const all = await store().listUploads(bucket, {});
      expect(all.map((u) => u.key)).toEqual(['a', 'b', 'b', 'b', 'c/d']);
      const bs = all.filter((u) => u.key === 'b');
      expect(bs.map((u) => u.uploadId).sort()).toEqual(made.filter((u) => u.key === 'b').map((u) => u.uploadId).sort());
      expect((await store().listUploads(bucket, { prefix: 'c/' })).map((u) => u.key)).toEqual(['c/d']);
      expect((await store().listUploads(bucket, { keyMarker: 'b' })).map((u) => u.key)).toEqual(['c/d']);
      const after = await store().listUploads(bucket, { keyMarker: 'b', uploadIdMarker: bs[0].uploadId });
      expect(after.map((u) => u.uploadId)).toEqual([bs[1].uploadId, bs[2].uploadId, all[4].uploadId]);
      expect(all[0].record).toEqual(meta('a'));
    });
  });
}
