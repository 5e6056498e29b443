// The filesystem backend's in-process listing caches. Why they exist and why they stay
// correct is the decision recorded in fs-listing.ts; in short:
//
// - DirEntries: the sorted, parsed entries of key-tree directories this process has read,
//   so a page in a directory of 200,000 keys does not readdir and sort 200,000 names.
// - Summaries: each record's listing entry, by directory, so a warm page reads no record
//   file (a cold one reads its directories' persisted summaries first:
//   fs-listing-summaries.ts).
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

/** A record path as the store builds it (`${dir}/${name}`), split back into its directory and name. */
function splitPath(path: string): { dir: string; name: string } {
  const at = path.lastIndexOf('/');
  return { dir: path.slice(0, at), name: path.slice(at + 1) };
}

/**
 * Listing entries by directory, then record name: a cold directory's persisted summary is
 * installed as one map (not one joined-path key per record), and a lookup builds no string.
 * Bounded by entries, evicting the oldest directory first.
 */
export class SummaryCache {
  private readonly dirs = new Map<string, Map<string, ListingEntry>>();
  private size = 0;
  /** Record reads in flight, by record path. */
  private readonly inflight = new Map<string, Inflight<Summary | null>>();

  constructor(private readonly maxEntries: number) {}

  /** The cached entry, if any: no I/O. */
  peek(dir: string, name: string): ListingEntry | undefined {
    return this.dirs.get(dir)?.get(name);
  }

  /**
   * The listing entry of record `name` in `dir`, from the cache or `read` (null: no such
   * record). Entries derived by `describe` are cached like stored ones: both are functions
   * of the record, and any change of the record resets the cache entry.
   */
  async entryOf(dir: string, name: string, read: () => Promise<Summary | null>, describe?: (metadata: Buffer) => ListingEntry): Promise<ListingEntry | null | undefined> {
    const cached = this.peek(dir, name);
    if (cached) return cached;
    const path = `${dir}/${name}`;
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
    if (entry && !running.stale) this.set(dir, name, entry);
    return entry;
  }

  /**
   * Entries known without reading the records (a trusted persisted summary of `dir`, checked
   * by the caller against changes in the same turn); ones already cached are kept. The map
   * becomes the cache's own when the directory has none yet.
   */
  learned(dir: string, entries: Map<string, ListingEntry>): void {
    const cached = this.dirs.get(dir);
    if (!cached) {
      if (entries.size === 0 || entries.size > this.maxEntries) return;
      this.dirs.set(dir, entries);
      this.size += entries.size;
    } else {
      for (const [name, entry] of entries) {
        if (cached.has(name)) continue;
        cached.set(name, entry);
        this.size++;
      }
    }
    this.trim(dir);
  }

  /** The record at `path` was replaced; entry is what it now holds (null: none stored). */
  committed(path: string, entry: ListingEntry | null): void {
    this.forget(path);
    if (entry) {
      const { dir, name } = splitPath(path);
      this.set(dir, name, entry);
    }
  }

  forget(path: string): void {
    const running = this.inflight.get(path);
    if (running) {
      running.stale = true;
      this.inflight.delete(path);
    }
    const { dir, name } = splitPath(path);
    const cached = this.dirs.get(dir);
    if (cached?.delete(name)) this.size--;
  }

  /** Forget every record under `root` (a bucket being deleted). */
  forgetTree(root: string): void {
    const below = root + '/';
    for (const path of [...this.inflight.keys()]) if (path.startsWith(below)) this.forget(path);
    for (const [dir, cached] of [...this.dirs]) {
      if (dir !== root && !dir.startsWith(below)) continue;
      this.dirs.delete(dir);
      this.size -= cached.size;
    }
  }

  private set(dir: string, name: string, entry: ListingEntry): void {
    let cached = this.dirs.get(dir);
    if (!cached) this.dirs.set(dir, (cached = new Map()));
    if (!cached.has(name)) this.size++;
    cached.set(name, entry);
    this.trim(dir);
  }

  /** Oldest directories first, never the one just added to unless it alone is too big. */
  private trim(keep: string): void {
    for (const [dir, cached] of this.dirs) {
      if (this.size <= this.maxEntries) return;
      if (dir === keep) continue;
      this.dirs.delete(dir);
      this.size -= cached.size;
    }
    const kept = this.dirs.get(keep);
    if (this.size > this.maxEntries && kept) {
      this.dirs.delete(keep);
      this.size -= kept.size;
    }
  }
}
