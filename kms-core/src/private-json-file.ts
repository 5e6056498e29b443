// lowdb's JSONFile writes atomically (temp file + rename) but creates the temp file with the
// process umask, so the keystore could end up world-readable. This adapter pre-creates that
// temp file with mode 0600 before each write, so the renamed file is 0600 from its first byte,
// and re-asserts the mode afterwards in case the temp-file naming ever changes.

import { chmod, open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import { JSONFile } from 'lowdb/node';

const FILE_MODE = 0o600;

export class PrivateJsonFile<T> implements Adapter<T> {
  readonly #path: string;
  readonly #inner: JSONFile<T>;

  constructor(path: string) {
    this.#path = path;
    this.#inner = new JSONFile<T>(path);
  }

  read(): Promise<T | null> {
    return this.#inner.read();
  }

  async write(data: T): Promise<void> {
    // Same temp name lowdb's writer uses (".<name>.tmp" beside the file).
    const temp = join(dirname(this.#path), `.${basename(this.#path)}.tmp`);
    const handle = await open(temp, 'w', FILE_MODE);
    try {
      await handle.chmod(FILE_MODE);
    } finally {
      await handle.close();
    }
    await this.#inner.write(data);
    await chmod(this.#path, FILE_MODE);
  }
}
