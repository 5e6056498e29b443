// Folders this store knows to exist, so a PUT into an existing folder costs no mkdir (and no
// failing EEXIST with its thrown error). Only the store's own prunes and bucket deletes remove
// folders; they forget them here. A folder removed behind our back makes the next rename into it
// fail with ENOENT, and the caller then forgets it and creates it again.
import { sep } from 'node:path';

/** Past this many folders the set starts over: a miss only costs one mkdir. */
const MAX_DIRS = 100_000;

export class KnownDirs {
  private readonly dirs = new Set<string>();

  has(dir: string): boolean {
    return this.dirs.has(dir);
  }

  add(dir: string): void {
    if (this.dirs.size >= MAX_DIRS) this.dirs.clear();
    this.dirs.add(dir);
  }

  forget(dir: string): void {
    this.dirs.delete(dir);
  }

  /** Forgets `root` and every folder below it. */
  forgetTree(root: string): void {
    const below = root + sep;
    for (const dir of this.dirs) if (dir === root || dir.startsWith(below)) this.dirs.delete(dir);
  }
}
