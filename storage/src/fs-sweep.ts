// Finds data files that no record points to: left by a crash between moving a data file
// into place and renaming its record, or between that rename and deleting the old data.
// Reads every record of the bucket, so it runs only on request, with the bucket locked.
import { join } from 'node:path';
import { unlink } from 'node:fs/promises';
import { readSortedEntries } from './fs-listing-cache.js';
import { walkKeys } from './fs-listing.js';
import { readdirOrEmpty } from './fs-util.js';
import type { ObjectRecord } from './object-record.js';

export async function sweepOrphanData(
  bucketDir: string,
  readRecord: (file: string) => Promise<Pick<ObjectRecord, 'files'> | null>,
): Promise<number> {
  const referenced = new Set<string>();
  // Uncached on purpose: the sweep must see the disk, and should not fill the caches.
  for await (const { dir, name } of walkKeys(join(bucketDir, 'keys'), { prefix: Buffer.alloc(0), after: null }, readSortedEntries)) {
    let record: Pick<ObjectRecord, 'files'> | null;
    try {
      record = await readRecord(join(dir, name));
    } catch {
      return 0; // an unreadable record might point anywhere: delete nothing
    }
    for (const file of record?.files ?? []) referenced.add(file.name);
  }
  let removed = 0;
  const dataDir = join(bucketDir, 'data');
  for (const shard of await readdirOrEmpty(dataDir)) {
    for (const name of await readdirOrEmpty(join(dataDir, shard))) {
      if (referenced.has(name)) continue;
      await unlink(join(dataDir, shard, name)).catch(() => {});
      removed++;
    }
  }
  return removed;
}
