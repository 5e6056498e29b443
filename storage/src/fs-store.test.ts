import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runObjectStoreContract } from './contract.js';
import { FsObjectStore } from './fs-store.js';

runObjectStoreContract('FsObjectStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kmsgate-storage-'));
  const store = await FsObjectStore.open(join(dir, 'root'));
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
