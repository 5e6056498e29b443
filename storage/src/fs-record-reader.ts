// Reads record files in batches, on a worker thread: a cold listing page's, and the one record
// each GET, HEAD and commit reads.
//
// Decision, measured (10,000 record files of a few hundred bytes, page cache warm, this
// 2-core machine under load): one asynchronous open/read/close per file through libuv's
// thread pool cost 1.0-1.9 s of CPU in all, most of it on the main thread, handing each
// call to the pool and back; the same reads done synchronously on one worker thread, asked
// for a batch at a time, cost about 0.1 s. So the listing asks for every record it misses
// in one turn of the event loop, and they go to the worker as one message. A GET's record
// (three calls through the pool) the same way: 4 KiB GETs at concurrency 32, main-thread CPU
// per GET 1012-1167 -> 881-955 us (bench-hot, three pairs). Under load, concurrent GETs share
// a message. The price: reads of records not in the page cache wait on one thread in turn.
//
// - The worker only reads files: no parsing, no caching, no decisions. Its source is inline
//   so the same code runs from the build and from the sources under test.
// - It starts on the first turn that asks for two or more reads and is unref'd, so an idle
//   store keeps no thread busy and does not hold the process open. A lone read before then
//   (one client's GET, a large PUT's commit) goes through libuv's pool: the thread and its
//   isolate cost about 10 MiB of RSS, which a store serving one request at a time is spared.
//   If the worker fails, pending reads fail with it and the next batch starts a new one.
// - A missing file (a key deleted meanwhile) reads as null, as for any other reader.
// - A read may ask for at most some bytes: a listing wants a record's head, not the data
//   an inline object keeps after it. What is read moves to the main thread uncopied.
import { Worker } from 'node:worker_threads';
import { readSmallFileOrNull } from './fs-util.js';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { closeSync, fstatSync, openSync, readFileSync, readSync } = require('node:fs');
function readUpTo(path, limit) {
  if (limit === null) return readFileSync(path);
  const fd = openSync(path, 'r');
  try {
    // Unpooled, so the buffer is the file's alone and moves to the main thread uncopied.
    const bytes = Buffer.allocUnsafeSlow(Math.min(fstatSync(fd).size, limit));
    let filled = 0;
    while (filled < bytes.length) {
      const n = readSync(fd, bytes, filled, bytes.length - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    return bytes.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}
parentPort.on('message', ({ id, paths, limits }) => {
  const results = paths.map((path, i) => {
    try {
      return { bytes: readUpTo(path, limits[i]) };
    } catch (err) {
      return { code: err && err.code, message: String(err && err.message) };
    }
  });
  // A buffer that is a whole ArrayBuffer is moved rather than copied; a pooled one is copied.
  const moved = new Set();
  for (const r of results) {
    const buffer = r.bytes && r.bytes.buffer;
    if (buffer && r.bytes.byteOffset === 0 && r.bytes.byteLength === buffer.byteLength) moved.add(buffer);
  }
  parentPort.postMessage({ id, results }, [...moved]);
});
`;

interface Result {
  bytes?: Uint8Array;
  code?: string;
  message?: string;
}

interface Waiter {
  resolve(bytes: Buffer | null): void;
  reject(err: Error): void;
}

interface Batch {
  paths: string[];
  limits: (number | null)[];
  waiters: Waiter[];
}

class ReadError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ReadError';
  }
}

export class RecordReader {
  private worker: Worker | undefined;
  private readonly sent = new Map<number, Batch>();
  private queued: Batch = { paths: [], limits: [], waiters: [] };
  private flushScheduled = false;
  private nextId = 0;
  private closed = false;

  /**
   * The whole file, or its first `maxBytes` bytes, or null when it does not exist. Reads
   * asked for in one turn go together.
   */
  read(path: string, maxBytes?: number): Promise<Buffer | null> {
    if (this.closed) return Promise.reject(new Error('record reader is closed'));
    return new Promise((resolve, reject) => {
      this.queued.paths.push(path);
      this.queued.limits.push(maxBytes ?? null);
      this.queued.waiters.push({ resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error('record reader is closed'));
    if (worker) await worker.terminate();
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queued;
    this.queued = { paths: [], limits: [], waiters: [] };
    if (batch.paths.length === 0) return;
    if (this.closed) {
      for (const waiter of batch.waiters) waiter.reject(new Error('record reader is closed'));
      return;
    }
    if (batch.paths.length === 1 && this.worker === undefined) {
      this.readHere(batch.paths[0]!, batch.limits[0]!, batch.waiters[0]!);
      return;
    }
    const id = this.nextId++;
    this.sent.set(id, batch);
    const worker = this.started();
    worker.ref(); // while a batch is out, so its answer is waited for
    worker.postMessage({ id, paths: batch.paths, limits: batch.limits });
  }

  /** A lone read while no worker runs: through libuv's pool, as readers without one do. */
  private readHere(path: string, limit: number | null, waiter: Waiter): void {
    readSmallFileOrNull(path, limit === null ? undefined : () => limit).then(waiter.resolve, waiter.reject);
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (message: { id: number; results: Result[] }) => this.answered(message));
    const fail = (err: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`record reader worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private answered({ id, results }: { id: number; results: Result[] }): void {
    const batch = this.sent.get(id);
    if (!batch) return;
    this.sent.delete(id);
    if (this.sent.size === 0) this.worker?.unref();
    batch.waiters.forEach((waiter, i) => {
      const result = results[i];
      if (result?.bytes) waiter.resolve(Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength));
      else if (result?.code === 'ENOENT' || result?.code === 'ENOTDIR') waiter.resolve(null);
      else waiter.reject(new ReadError(result?.message ?? 'record read failed', result?.code));
    });
  }

  private failAll(err: Error): void {
    const batches = [...this.sent.values()];
    this.sent.clear();
    for (const batch of batches) for (const waiter of batch.waiters) waiter.reject(err);
  }
}
