import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { appendFile, mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAuditTrail } from './reader.js';
import type { AuditRecord } from './record.js';
import { AuditWriter } from './writer.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-audit-'));
  path = join(dir, 'kms', 'audit.log');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A record the reader accepts, numbered so order can be checked. */
const rec = (n: number, pad = 0): object => ({ eventName: 'Encrypt', eventID: `id-${n}`, n, pad: 'x'.repeat(pad) });
const numbers = (records: AuditRecord[]): number[] => records.map((r) => (r as unknown as { n: number }).n);

describe('AuditWriter', () => {
  it('answers an append only once a data sync that began after its record was written has finished', async () => {
    const w = await AuditWriter.open(path);
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    const original = proto.datasync;
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sizesAtSync: number[] = [];
    const spy = jest.spyOn(proto, 'datasync').mockImplementation(async function (this: FileHandle) {
      sizesAtSync.push((await stat(path)).size);
      await gate;
      return original.call(this);
    });
    try {
      let answered = false;
      const appended = w.append(rec(1)).then(() => (answered = true));
      for (let i = 0; i < 200 && sizesAtSync.length === 0 && !answered; i++) await new Promise((r) => setImmediate(r));
      expect(answered).toBe(false);
      expect(sizesAtSync).toHaveLength(1);
      expect(sizesAtSync[0]).toBeGreaterThan(0);
      release();
      await appended;
      expect(answered).toBe(true);
    } finally {
      release();
      spy.mockRestore();
      await w.close();
    }
  });

  it('creates the file with mode 0600 in a private folder and appends whole lines', async () => {
    const w = await AuditWriter.open(path);
    await w.append(rec(1));
    await w.append(rec(2));
    await w.close();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'kms'))).mode & 0o777).toBe(0o700);
    expect(numbers(await readAuditTrail(path))).toEqual([1, 2]);
    // A reopened trail appends after what is there.
    const again = await AuditWriter.open(path);
    await again.append(rec(3));
    await again.close();
    expect(numbers(await readAuditTrail(path))).toEqual([1, 2, 3]);
  });

  it('group-commits concurrent appends: many records, few write+fsync rounds, all in order', async () => {
    const w = await AuditWriter.open(path);
    await Promise.all(Array.from({ length: 200 }, (_, i) => w.append(rec(i))));
    // The first record leaves alone; the 199 that arrived during its fsync leave together.
    expect(w.commits).toBe(2);
    await w.close();
    expect(numbers(await readAuditTrail(path))).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('rotates by size, keeps `keep` old files, and the reader reads them oldest first', async () => {
    const w = await AuditWriter.open(path, { maxBytes: 1000, keep: 2 });
    for (let i = 0; i < 40; i++) await w.append(rec(i, 100));
    await w.close();
    const files = (await readdir(join(dir, 'kms'))).sort();
    expect(files).toHaveLength(3);
    expect(files[0]).toBe('audit.log');
    for (const f of files) {
      const { size, mode } = await stat(join(dir, 'kms', f));
      expect(size).toBeLessThanOrEqual(1000);
      expect(mode & 0o777).toBe(0o600);
    }
    const got = numbers(await readAuditTrail(path));
    // What is kept is the newest records, contiguous and in order; the oldest were dropped.
    expect(got[got.length - 1]).toBe(39);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => 40 - got.length + i));
    expect(got.length).toBeLessThan(40);
  });

  it('a reader beside the writer sees only whole records, in order, through rotations', async () => {
    const w = await AuditWriter.open(path, { maxBytes: 4000, keep: 50 });
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 300; i++) await Promise.all([w.append(rec(2 * i, 50)), w.append(rec(2 * i + 1, 50))]);
      writing = false;
    })();
    let reads = 0;
    while (writing || reads === 0) {
      const got = numbers(await readAuditTrail(path));
      // Always a prefix of what was written: no torn, missing, doubled or reordered record,
      // even when a rotation happens between the reads of two files.
      expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i));
      reads++;
    }
    await writer;
    await w.close();
    expect(numbers(await readAuditTrail(path))).toEqual(Array.from({ length: 600 }, (_, i) => i));
  });

  it('the reader skips a torn last line (a crash mid-write) and whatever is not a record', async () => {
    const w = await AuditWriter.open(path);
    await w.append(rec(1));
    await w.close();
    await appendFile(path, 'not json\n{"eventName":"Decr');
    expect(numbers(await readAuditTrail(path))).toEqual([1]);
  });
});
