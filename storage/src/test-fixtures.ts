// Test-only (kept out of dist by tsconfig.json): a fresh temp folder, or a store of its own in
// one with one bucket, for each test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsObjectStore } from './fs-store.js';

export interface TempStore {
  /** The temp folder; the store's root is `root`, somewhere below it. */
  dir: string;
  root: string;
  store: FsObjectStore;
}

/** Opens a store at `<fresh temp folder>/<rootPath...>` holding `bucket`. */
export async function openTempStore(prefix: string, bucket: string, ...rootPath: string[]): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const root = join(dir, ...(rootPath.length > 0 ? rootPath : ['root']));
  const store = await FsObjectStore.open(root);
  await store.createBucket(bucket);
  return { dir, root, store };
}

export async function closeTempStore({ dir, store }: TempStore): Promise<void> {
  await store.close();
  await rm(dir, { recursive: true, force: true });
}

/** Runs `fn` with a fresh temp folder, removed afterwards whatever happens. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
