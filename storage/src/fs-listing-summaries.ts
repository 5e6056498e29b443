// Persisted listing summaries: per key-tree directory, the listing entry of every object
// record directly in it (listing-summary.ts), so a fresh process lists a directory with one
// file read instead of one per key. Why, and the figures, in fs-listing.ts's decision.
//
// A summary is a copy, never the truth: the records are. It is trusted only when
// - it decodes whole (version, digest) and names the directory asked for,
// - it carries this session's generation (fs-listing-state.ts: a crash moves to a new one,
//   so no summary written before a crash is ever trusted again), and
// - its directory has not changed in this session since it was written ("dirty" here).
// Otherwise the directory's records are read, as without summaries, and the summary is
// rewritten in the background.
//
// Commits and deletes only mark their directory dirty (memory, no I/O: PUT speed does not
// depend on this). Dirty summaries are rewritten a moment later, off the request path, one
// pass at a time; a change that lands while its directory's summary is being rebuilt
// replaces the directory's mark, so the rebuilt summary does not clear it and is rewritten
// again. Background writes are not fsynced: until a clean close nothing trusts them after a
// crash. Closing rewrites what is still dirty, fsyncs every summary written this session,
// and only then marks the state clean.
import { open, readFile, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FsLayout } from './fs-layout.js';
import { writeListingState } from './fs-listing-state.js';
import { DIR_MODE, FILE_MODE, fsyncDir, isErrno, uniqueName } from './fs-util.js';
import { decodeDirSummary, encodeDirSummary } from './listing-summary.js';
import type { ListingEntry } from './object-store.js';

export interface SummarySource {
  /**
   * The entries a summary of `dir` (`rel` below keys/) holds now, by record name (records
   * without an entry left out); null when the directory holds nothing (or is gone).
   */
  build(dir: string, rel: string): Promise<ReadonlyMap<string, ListingEntry> | null>;
  /** Runs fn with the bucket held shared; false, without running it, when the bucket is gone. */
  withBucket(bucket: string, fn: () => Promise<void>): Promise<boolean>;
  /** A whole file, or null when it does not exist. */
  read(path: string): Promise<Buffer | null>;
}

/**
 * Reads a summary file on the main thread, null when there is none. Not through the record
 * reader's worker: a cold listing reads one summary per directory, so a listing served
 * wholly from summaries would otherwise start the worker thread for a few files, and its
 * start-up costs more CPU than the reads.
 */
export async function readSummaryFile(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw err;
  }
}

/** A directory's on-disk summary is not current. Replaced (a new object) by every change. */
interface Mark {
  bucket: string;
}

/** Directories whose summary this session already consulted; past this many it starts over. */
const MAX_CONSULTED = 100_000;
/** Summaries rewritten at once in one pass. */
const WIDTH = 8;
/** Passes a close makes before it gives up marking the state clean. */
const CLOSE_PASSES = 3;

export class PersistedSummaries {
  private readonly dirty = new Map<string, Mark>();
  /** Summary reads in flight; a change of their directory sets stale. */
  private readonly loads = new Map<string, { stale: boolean; done: Promise<void> }>();
  private readonly consulted = new Set<string>();
  /** Summary files written, and folders changed, without an fsync yet. */
  private readonly unsyncedFiles = new Set<string>();
  private readonly unsyncedDirs = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<boolean> | undefined;
  private changes = 0;
  private closing = false;
  /** How long the last background pass took. */
  private lastPassMs = 0;

  constructor(
    private readonly layout: FsLayout,
    readonly generation: number,
    private readonly source: SummarySource,
    private readonly delayMs: number,
  ) {}

  /** `dir` of `bucket` just changed on disk (call right after the rename or unlink). */
  changed(bucket: string, dir: string): void {
    const load = this.loads.get(dir);
    if (load) load.stale = true;
    this.consulted.delete(dir);
    this.dirty.set(dir, { bucket });
    this.changes++;
    this.schedule();
  }

  /**
   * Before a cold read of `dir`'s records: installs its trusted summary's entries (through
   * `install`, synchronously with the check that nothing changed meanwhile; the map is the
   * callee's to keep), or, if it has none, asks for one to be written. Undefined when there
   * is nothing to wait for.
   */
  prime(bucket: string, dir: string, install: (entries: Map<string, ListingEntry>) => void): Promise<void> | undefined {
    if (this.consulted.has(dir)) return undefined;
    const running = this.loads.get(dir);
    if (running) return running.done;
    const load = { stale: false, done: Promise.resolve() };
    this.loads.set(dir, load);
    load.done = this.load(bucket, dir).then(
      (entries) => {
        if (this.loads.get(dir) === load) this.loads.delete(dir);
        if (load.stale) return; // changed meanwhile: its records are read instead
        if (entries) install(entries);
        else this.want(bucket, dir);
        if (this.consulted.size >= MAX_CONSULTED) this.consulted.clear();
        this.consulted.add(dir);
      },
      () => {
        if (this.loads.get(dir) === load) this.loads.delete(dir); // unreadable: the records answer
      },
    );
    return load.done;
  }

  /** Forgets everything about a bucket being deleted (its summaries go with its folder). */
  dropBucket(bucket: string): void {
    const below = this.layout.bucketDir(bucket) + '/';
    for (const dir of this.dirty.keys()) if (dir.startsWith(below)) this.dirty.delete(dir);
    for (const dir of this.consulted) if (dir.startsWith(below)) this.consulted.delete(dir);
    for (const path of this.unsyncedFiles) if (path.startsWith(below)) this.unsyncedFiles.delete(path);
    for (const path of this.unsyncedDirs) if (path.startsWith(below)) this.unsyncedDirs.delete(path);
  }

  /** Rewrites every dirty summary now (after a pass in progress); false if one failed. */
  flush(): Promise<boolean> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const run = (this.flushing ?? Promise.resolve(true)).then(() => this.pass());
    this.flushing = run;
    void run.finally(() => {
      if (this.flushing === run) this.flushing = undefined;
    });
    return run;
  }

  /**
   * The end of the session; the caller lets no change start any more. Rewrites what is still
   * dirty, makes every summary of the session durable, then marks the state clean. On any
   * failure the state stays not clean, so the next session trusts no summary.
   */
  async close(): Promise<void> {
    this.closing = true;
    try {
      let passes = 0;
      while (this.dirty.size > 0 || this.flushing) {
        if (!(await this.flush()) || ++passes > CLOSE_PASSES) return;
      }
      await this.syncWritten();
      await writeListingState(this.layout, { generation: this.generation, clean: true });
    } catch {
      // Not clean: the summaries are rebuilt from the records next time.
    }
  }

  private relOf(bucket: string, dir: string): string {
    const keysDir = this.layout.keysDir(bucket);
    return dir === keysDir ? '' : dir.slice(keysDir.length + 1);
  }

  private async load(bucket: string, dir: string): Promise<Map<string, ListingEntry> | null> {
    if (this.dirty.has(dir)) return null;
    const rel = this.relOf(bucket, dir);
    const bytes = await this.source.read(this.layout.summaryPath(bucket, rel));
    const summary = bytes && decodeDirSummary(bytes);
    return summary && summary.generation === this.generation && summary.dir === rel ? summary.entries : null;
  }

  /** A directory listed from its records: write its summary (it did not change). */
  private want(bucket: string, dir: string): void {
    if (this.dirty.has(dir)) return;
    this.dirty.set(dir, { bucket });
    this.changes++;
    this.schedule();
  }

  /**
   * A pass a moment after the first change, and passes at most a tenth of the time: a pass
   * costs what the changed directories hold, so steady writes into big directories must not
   * keep a core busy rewriting their summaries.
   */
  private schedule(): void {
    if (this.timer || this.closing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const changes = this.changes;
      const started = performance.now();
      void this.flush().then(() => {
        this.lastPassMs = performance.now() - started;
        if (this.changes !== changes) this.schedule(); // changed during the pass (a failure alone waits)
      });
    }, Math.max(this.delayMs, 9 * this.lastPassMs));
    this.timer.unref();
  }

  private async pass(): Promise<boolean> {
    const dirs = [...this.dirty.keys()];
    let ok = true;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < dirs.length) {
        const dir = dirs[next++];
        const mark = this.dirty.get(dir);
        if (!mark) continue;
        try {
          await this.rewrite(dir, mark);
        } catch {
          ok = false; // stays dirty: not trusted, and tried again
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(WIDTH, dirs.length) }, worker));
    return ok;
  }

  private async rewrite(dir: string, mark: Mark): Promise<void> {
    const { bucket } = mark;
    await this.source.withBucket(bucket, async () => {
      const rel = this.relOf(bucket, dir);
      const path = this.layout.summaryPath(bucket, rel);
      const entries = await this.source.build(dir, rel);
      if (entries === null) {
        await rm(path, { force: true });
        this.unsyncedFiles.delete(path);
        this.unsyncedDirs.add(dirname(path));
        return;
      }
      const staging = this.layout.tmpPath('summary', uniqueName());
      await writeFile(staging, encodeDirSummary({ generation: this.generation, dir: rel, entries }), { flag: 'wx', mode: FILE_MODE });
      try {
        await this.renameIn(staging, path);
      } catch (err) {
        await rm(staging, { force: true });
        throw err;
      }
    });
    // Only if nothing changed since the mark this summary was built for.
    if (this.dirty.get(dir) === mark) {
      this.dirty.delete(dir);
      this.consulted.delete(dir); // its summary can be consulted again
    }
  }

  private async renameIn(staging: string, path: string): Promise<void> {
    const folder = dirname(path);
    try {
      await rename(staging, path);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
      // A bucket's first summary (the bucket is held, so it is there).
      await mkdir(folder, { mode: DIR_MODE }).catch((e: unknown) => {
        if (!isErrno(e, 'EEXIST')) throw e;
      });
      this.unsyncedDirs.add(dirname(folder));
      await rename(staging, path);
    }
    this.unsyncedFiles.add(path);
    this.unsyncedDirs.add(folder);
  }

  private async syncWritten(): Promise<void> {
    for (const path of this.unsyncedFiles) {
      let handle;
      try {
        handle = await open(path, 'r');
      } catch (err) {
        if (isErrno(err, 'ENOENT')) continue; // its bucket was deleted
        throw err;
      }
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    // Deepest first: a summaries folder, then the bucket folder that gained it.
    for (const dir of [...this.unsyncedDirs].sort((a, b) => b.length - a.length)) {
      await fsyncDir(dir).catch((err: unknown) => {
        if (!isErrno(err, 'ENOENT')) throw err;
      });
    }
    this.unsyncedFiles.clear();
    this.unsyncedDirs.clear();
  }
}
