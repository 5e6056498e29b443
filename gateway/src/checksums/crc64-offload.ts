/**
 * CRC64NVME of a large body folded on a worker thread, so the main thread of a large PUT
 * only copies the bytes out (measured: the checksum was about 2 s of main-thread CPU per
 * GiB, over a third of it, while the second core sat mostly idle).
 *
 * - A body's first OFFLOAD_AFTER bytes are folded where they arrive, as before: a small
 *   object never pays a message to the worker. Past that, the register moves to the worker
 *   and the rest follows in BATCH-byte copies (transferred, not cloned).
 * - Back-pressure: while more than MAX_IN_FLIGHT bytes of all bodies together wait for the
 *   worker, a body that sends more makes its stream wait, so the copies held for the worker
 *   stay within a few MiB however many large PUTs run at once.
 * - One worker for the process, started on first use and unref'd while no body uses it.
 *   If it fails, the bodies using it fail (a 500: our fault) and the next one starts a new
 *   worker. A body that ends early (client gone, bad signature) drops its state there.
 * - The worker runs crc64nvme.ts's own functions from their source text, and loads the same
 *   native binding as the main thread when that one loaded (its path is the worker's data).
 *   With it, the worker's CPU for a 1 GiB PUT went from 3.1-3.8 s to about 1.1 s, CPU the pool
 *   threads and the client share on two cores.
 */
import { Worker } from 'node:worker_threads';
import {
  buildCrc64Tables, crc64Digest, crc64Fold, crc64FoldNative, crc64Update, CRC64_INITIAL, LITTLE_ENDIAN, NATIVE_CRC64, type Crc64State,
} from './crc64nvme.js';

export const OFFLOAD_AFTER = 4 * 1024 * 1024;
const BATCH = 256 * 1024;
export const MAX_IN_FLIGHT = 4 * 1024 * 1024;
const SPARE_BATCHES = MAX_IN_FLIGHT / BATCH + 2;
export const MAX_BODIES = 2;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const buildCrc64Tables = ${buildCrc64Tables.toString()};
const crc64Fold = ${crc64Fold.toString()};
const crc64FoldNative = ${crc64FoldNative.toString()};
const tables = buildCrc64Tables();
let native = null;
try { native = workerData ? require(workerData).crc64nvme : null; } catch {}
const registers = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'data') {
    const register = registers.get(m.id);
    if (register) {
      const data = new Uint8Array(m.bytes, 0, m.length);
      if (native) crc64FoldNative(native, register, data);
      else crc64Fold(tables, register, data, ${LITTLE_ENDIAN});
    }
    parentPort.postMessage({ id: m.id, folded: m.length, bytes: m.bytes }, [m.bytes]);
  } else if (m.op === 'start') {
    registers.set(m.id, { lo: m.lo, hi: m.hi });
  } else {
    const register = registers.get(m.id);
    registers.delete(m.id);
    if (m.op === 'end') parentPort.postMessage({ id: m.id, lo: register.lo, hi: register.hi });
  }
});`;

interface Job {
  onEnd: ((state: Crc64State) => void) | null;
  fail: (err: Error) => void;
}

type WorkerAnswer = { id: number; folded: number; bytes: ArrayBuffer } | { id: number; lo: number; hi: number };

class Crc64Worker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly jobs = new Map<number, Job>();
  /** Bytes sent and not yet folded, over all bodies. */
  private inFlight = 0;
  private readonly drainWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  /**
   * Batches the worker handed back once folded, for the next bytes: reused rather than left
   * to the worker's garbage collector, which let 16 concurrent 32 MiB PUTs hold about 40 MiB
   * more at their peak.
   */
  private readonly spare: Buffer[] = [];

  /**
   * Whether one more body may move to the worker. One worker folds one core's worth, so
   * more bodies there than MAX_BODIES would only queue their copies: the rest fold where
   * they arrive, as small bodies do.
   */
  hasRoom(): boolean {
    return this.jobs.size < MAX_BODIES;
  }

  /** A batch buffer to fill: a spare one if the worker gave one back. */
  takeBatch(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafeSlow(BATCH);
  }

  start(state: Crc64State, job: Job): number {
    const id = this.nextId++;
    this.jobs.set(id, job);
    const worker = this.started();
    worker.ref();
    worker.postMessage({ op: 'start', id, lo: state.lo, hi: state.hi });
    return id;
  }

  /** Hands a batch over; a promise when the worker is too far behind and the body should wait. */
  send(id: number, batch: Buffer, length: number): Promise<void> | undefined {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('checksum worker is gone'));
    this.inFlight += length;
    const bytes = batch.buffer;
    worker.postMessage({ op: 'data', id, bytes, length }, [bytes as ArrayBuffer]);
    if (this.inFlight <= MAX_IN_FLIGHT) return undefined;
    return new Promise((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  end(id: number, keep: boolean): void {
    this.worker?.postMessage({ op: keep ? 'end' : 'drop', id });
    if (!keep) this.forget(id);
  }

  private forget(id: number): void {
    this.jobs.delete(id);
    if (this.jobs.size === 0) this.worker?.unref();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: NATIVE_CRC64?.path ?? null });
    worker.unref();
    worker.on('message', (answer: WorkerAnswer) => this.answered(answer));
    const fail = (err: Error): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.inFlight = 0;
      const jobs = [...this.jobs.values()];
      this.jobs.clear();
      for (const job of jobs) job.fail(err);
      for (const waiter of this.drainWaiters.splice(0)) waiter.reject(err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`checksum worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private answered(answer: WorkerAnswer): void {
    if ('folded' in answer) {
      this.inFlight -= answer.folded;
      if (this.spare.length < SPARE_BATCHES) this.spare.push(Buffer.from(answer.bytes));
      while (this.inFlight <= MAX_IN_FLIGHT && this.drainWaiters.length > 0) this.drainWaiters.shift()!.resolve();
      return;
    }
    const job = this.jobs.get(answer.id);
    if (!job) return;
    this.forget(answer.id);
    job.onEnd?.({ lo: answer.lo, hi: answer.hi });
  }

  /** Ends the worker (tests: a worker lost mid-body). */
  async stopForTest(): Promise<void> {
    await this.worker?.terminate();
  }
}

export const crc64Worker = new Crc64Worker();

/** One body's CRC64NVME: folded here for its first OFFLOAD_AFTER bytes, then on the worker. */
export class Crc64Checksum {
  private readonly state: Crc64State = { ...CRC64_INITIAL };
  private folded = 0;
  private id = 0;
  private job: Job | null = null;
  private failure: Error | null = null;
  private batch: Buffer | null = null;
  private filled = 0;

  /** Whether this body's checksum went to the worker (tests). */
  get offloaded(): boolean {
    return this.job !== null;
  }

  /** Takes a chunk; a promise when the worker is too far behind and the stream should wait. */
  update(chunk: Buffer): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.job === null) {
      if (this.folded + chunk.length <= OFFLOAD_AFTER || !crc64Worker.hasRoom()) {
        crc64Update(this.state, chunk);
        this.folded += chunk.length;
        return undefined;
      }
      this.startJob();
    }
    let wait: Promise<void> | undefined;
    for (let at = 0; at < chunk.length; ) {
      this.batch ??= crc64Worker.takeBatch();
      const n = chunk.copy(this.batch, this.filled, at);
      this.filled += n;
      at += n;
      if (this.filled === BATCH) wait = this.sendBatch() ?? wait;
    }
    return wait?.catch((err: Error) => {
      this.failure ??= err;
      throw err;
    });
  }

  async digestBase64(): Promise<string> {
    if (this.failure) throw this.failure;
    if (this.job === null) return crc64Digest(this.state).toString('base64');
    if (this.filled > 0) await this.sendBatch();
    if (this.failure) throw this.failure;
    const job = this.job;
    const state = await new Promise<Crc64State>((resolve, reject) => {
      job.onEnd = resolve;
      job.fail = reject;
      crc64Worker.end(this.id, true);
    });
    this.job = null;
    return crc64Digest(state).toString('base64');
  }

  /** The body ended without a digest: the worker forgets it. */
  discard(): void {
    if (this.job === null) return;
    this.job = null;
    crc64Worker.end(this.id, false);
  }

  private startJob(): void {
    const job: Job = { onEnd: null, fail: (err) => (this.failure ??= err) };
    this.job = job;
    this.id = crc64Worker.start(this.state, job);
  }

  private sendBatch(): Promise<void> | undefined {
    const wait = crc64Worker.send(this.id, this.batch!, this.filled);
    this.batch = null; // transferred: the worker gives it back once folded
    this.filled = 0;
    return wait;
  }
}
