// The data files of the records this process installed, by key: all an overwrite needs of the
// record it replaces when no precondition asks for its metadata, so a PUT need not read that
// record back under the key's lock (an open, a read and a close per PUT).
//
// Exact because one process owns the root and every change of a key's record runs under the
// key's lock (FsObjectStore.withKey), which takes the entry out before the change: a failed,
// refused or other kind of change (delete, multipart completion) leaves no entry, and the
// next overwrite reads the record as before. Only a commit that succeeded puts one back.
import type { DataFile } from './object-record.js';

const NO_FILES: readonly DataFile[] = Object.freeze([]);

export class InstalledFiles {
  private readonly files = new Map<string, readonly DataFile[]>();

  constructor(private readonly limit: number) {}

  /** The key's entry, removed: the caller is about to change the key's record. */
  take(key: string): readonly DataFile[] | undefined {
    const files = this.files.get(key);
    if (files !== undefined) this.files.delete(key);
    return files;
  }

  /** After a successful commit under the key's lock: the files the key's record now names. */
  installed(key: string, files: readonly DataFile[]): void {
    this.files.set(key, files.length === 0 ? NO_FILES : files);
    // Oldest first: Map keeps insertion order, and take() re-inserts on each commit.
    if (this.files.size > this.limit) this.files.delete(this.files.keys().next().value as string);
  }

  clear(): void {
    this.files.clear();
  }
}
