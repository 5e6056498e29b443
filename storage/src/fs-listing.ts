// Lists a bucket's key tree in UTF-8 byte order (see key-path.ts for why the walk is
// ordered), reading only the directories that can hold keys after startAfter under prefix.
import { join } from 'node:path';
import { compareEntries, parseEntry, prefixStart, type TreeEntry } from './key-path.js';
import { readdirOrEmpty } from './fs-util.js';

export interface ListingRange {
  prefix: Buffer;
  /** Only keys strictly greater than this; null for no lower bound. */
  startAfter: Buffer | null;
}

const startsWith = (bytes: Buffer, prefix: Buffer): boolean =>
  bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);

/** Yields matching keys as UTF-8 bytes, ascending; stop iterating to stop reading. */
export async function* walkKeys(keysDir: string, range: ListingRange): AsyncGenerator<Buffer> {
  const { dirs, base } = prefixStart(range.prefix);
  yield* walkDir(join(keysDir, ...dirs), base, range);
}

async function* walkDir(dir: string, base: Buffer, range: ListingRange): AsyncGenerator<Buffer> {
  const entries: TreeEntry[] = [];
  for (const name of await readdirOrEmpty(dir)) {
    const entry = parseEntry(name, base);
    if (entry) entries.push(entry);
  }
  entries.sort(compareEntries);
  const { prefix, startAfter } = range;
  for (const entry of entries) {
    const p = entry.sortPrefix;
    if (entry.kind === 'o') {
      if (!startsWith(p, prefix)) {
        if (Buffer.compare(p, prefix) > 0) return; // everything after is past the prefix
        continue;
      }
      if (startAfter && Buffer.compare(p, startAfter) <= 0) continue;
      yield p;
      continue;
    }
    // A subtree holds keys that start with p.
    if (!startsWith(p, prefix) && !startsWith(prefix, p)) {
      if (Buffer.compare(p, prefix) > 0) return;
      continue;
    }
    if (startAfter && Buffer.compare(p, startAfter) < 0 && !startsWith(startAfter, p)) continue;
    yield* walkDir(join(dir, entry.name), p, range);
  }
}
