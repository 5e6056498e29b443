// The filesystem backend's in-process listing caches. Why they exist and why they stay
// correct is the decision recorded in fs-listing.ts; in short:
//
// - DirEntries: the sorted, parsed entries of key-tree directories this process has read,
//   so a page in a directory of 200,000 keys does not readdir and sort 200,000 names.
// - Summaries: each record's listing entry, so a warm page reads no record file (a cold
//   one reads its directories' persisted summaries first: fs-listing-summaries.ts).
//
// One process owns a store's root (a lock file enforces it), and every change to the key
// tree goes through it, so updating both caches right after each change on disk keeps them
// coherent. Two rules close the races with readers:
// - A load (readdir, record read) that overlaps a change of what it loads is used for that
//   one listing but never cached ("stale" flag set by the change).
// - Cached entry arrays are replaced, never mutated, so a walk in progress iterates a
//   consistent snapshot.
// Both caches are bounded (oldest-first eviction); losing an entry costs a re-read only.
import type { ListingEntry } from './object-store.js';
import { compareEntries, parseEntry, type TreeEntry } from './key-path.js';
import { readdirOrEmpty } from './fs-util.js';

interface Inflight<T> {
  promise: Promise<T>;
  stale: boolean;
}

/** Finds the index of the first entry not ordered before `entry` (binary search). */
function lowerBound(entries: readonly TreeEntry[], entry: TreeEntry): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEntries(entries[mid], entry) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export async function readSortedEntries(dir: string, base: Buffer): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  for (const name of await readdirOrEmpty(dir)) {
    const entry = parseEntry(name, base);
    if (entry) entries.push(entry);
  }
  return entries.sort(compareEntries);
}

export class DirEntriesCache {
  private readonly dirs = new Map<string, readonly TreeEntry[]>();
  private readonly inflight = new Map<string, Inflight<readonly TreeEntry[]>>();
  private size = 0;

  constructor(private readonly maxEntries: number) {}

  /** At once when cached (no promise turn per directory of a warm walk), else once loaded. */
  entries(dir: string, base: Buffer): readonly TreeEntry[] | Promise<readonly TreeEntry[]> {
    return this.dirs.get(dir) ?? this.load(dir, base);
  }

  private async load(dir: string, base: Buffer): Promise<readonly TreeEntry[]> {
    const running = this.inflight.get(dir);
    if (running) return running.promise;
    const load: Inflight<readonly TreeEntry[]> = { promise: readSortedEntries(dir, base), stale: false };
    this.inflight.set(dir, load);
    try {
      const entries = await load.promise;
      if (!load.stale) this.install(dir, entries);
      return entries;
    } finally {
      if (this.inflight.get(dir) === load) this.inflight.delete(dir);
    }
  }

  /**
   * `dir` was just created by this process, under its tree lock: it is known to be empty,
   * so later commits into it keep it cached without a readdir.
   */
  createdEmpty(dir: string): void {
    this.markStale(dir);
    if (!this.dirs.has(dir)) this.install(dir, []);
  }

  /** A file or directory `name` now exists in `dir` (idempotent). */
  added(dir: string, name: string, base: Buffer): void {
    this.markStale(dir);
    const cached = this.dirs.get(dir);
    const entry = cached && parseEntry(name, base);
    if (!cached || !entry) return;
    const at = lowerBound(cached, entry);
    if (at < cached.length && cached[at].name === name) return;
    this.replace(dir, [...cached.slice(0, at), entry, ...cached.slice(at)]);
  }

  /** `name` is gone from `dir`; a removed directory's own entries go too (idempotent). */
  removed(dir: string, name: string, base: Buffer): void {
    this.markStale(dir);
    const cached = this.dirs.get(dir);
    const entry = cached && parseEntry(name, base);
    if (!cached || !entry) return;
    const at = lowerBound(cached, entry);
    if (at >= cached.length || cached[at].name !== name) return;
    this.replace(dir, [...cached.slice(0, at), ...cached.slice(at + 1)]);
  }

  /** A directory was removed: forget it and anything being loaded from it. */
  dropDir(dir: string): void {
    this.markStale(dir);
    const cached = this.dirs.get(dir);
    if (!cached) return;
    this.size -= cached.length;
    this.dirs.delete(dir);
  }

  /** Forget every directory under `root` (a bucket being deleted). */
  dropTree(root: string): void {
    for (const dir of [...this.dirs.keys(), ...this.inflight.keys()]) {
      if (dir === root || dir.startsWith(root + '/')) this.dropDir(dir);
    }
  }

  /** A load overlapping a change is not cached, and later callers start a fresh one. */
  private markStale(dir: string): void {
    const running = this.inflight.get(dir);
    if (!running) return;
    running.stale = true;
    this.inflight.delete(dir);
  }

  private replace(dir: string, entries: readonly TreeEntry[]): void {
    this.size += entries.length - (this.dirs.get(dir)?.length ?? 0);
    this.dirs.set(dir, entries);
  }

  private install(dir: string, entries: readonly TreeEntry[]): void {
    if (entries.length > this.maxEntries) return;
    this.replace(dir, entries);
    for (const [oldest, old] of this.dirs) {
      if (this.size <= this.maxEntries) break;
      if (oldest === dir) continue;
      this.dirs.delete(oldest);
      this.size -= old.length;
    }
  }
}

/** What a record gives a listing: its entry, or that it has none (an older record). */
export type Summary = { entry: ListingEntry } | { entry: null; metadata: Buffer };

export class SummaryCache {
  private readonly summaries = new Map<string, ListingEntry>();
  private readonly inflight = new Map<string, Inflight<Summary | null>>();

  constructor(private readonly maxEntries: number) {}

  /**
   * The listing entry of the record at `path`, from the cache or `read` (null: no such
   * record). Entries derived by `describe` are cached like stored ones: both are functions
   * of the record, and any change of the record resets the cache entry.
   */
  /** The cached entry, if any: no I/O. */
  peek(path: string): ListingEntry | undefined {
    return this.summaries.get(path);
  }

  async entryOf(path: string, read: () => Promise<Summary | null>, describe?: (metadata: Buffer) => ListingEntry): Promise<ListingEntry | null | undefined> {
    const cached = this.summaries.get(path);
    if (cached) return cached;
    let load = this.inflight.get(path);
    if (!load) {
      const fresh: Inflight<Summary | null> = { promise: read(), stale: false };
      load = fresh;
      this.inflight.set(path, fresh);
      fresh.promise.finally(() => this.inflight.get(path) === fresh && this.inflight.delete(path)).catch(() => {});
    }
    const running = load;
    const summary = await running.promise;
    if (summary === null) return undefined;
    let entry = summary.entry;
    if (summary.entry === null && describe) {
      try {
        entry = describe(summary.metadata);
      } catch {
        entry = null;
      }
    }
    if (entry && !running.stale) this.set(path, entry);
    return entry;
  }

  /**
   * An entry known without reading the record (a trusted persisted summary, checked by the
   * caller against changes in the same turn); one already cached is kept.
   */
  learned(path: string, entry: ListingEntry): void {
    if (!this.summaries.has(path)) this.set(path, entry);
  }

  /** The record at `path` was replaced; entry is what it now holds (null: none stored). */
  committed(path: string, entry: ListingEntry | null): void {
    this.forget(path);
    if (entry) this.set(path, entry);
  }

  forget(path: string): void {
    const running = this.inflight.get(path);
    if (running) {
      running.stale = true;
      this.inflight.delete(path);
    }
    this.summaries.delete(path);
  }

  /** Forget every record under `root` (a bucket being deleted). */
  forgetTree(root: string): void {
    for (const path of [...this.summaries.keys(), ...this.inflight.keys()]) {
      if (path.startsWith(root + '/')) this.forget(path);
    }
  }

  private set(path: string, entry: ListingEntry): void {
    this.summaries.delete(path);
    this.summaries.set(path, entry);
    if (this.summaries.size > this.maxEntries) {
      const oldest = this.summaries.keys().next().value;
      if (oldest !== undefined) this.summaries.delete(oldest);
    }
  }
}
