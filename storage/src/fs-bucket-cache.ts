// What the filesystem store remembers of its buckets between requests: which exist, and each
// one's configuration record. Without it every PUT stats bucket.json twice and every request
// reads the configuration (and, for a bucket that has none, bucket.json once more). One
// process owns the root, so the only changes are this store's own: a deleted bucket is
// forgotten, a written configuration replaces the cached one.
//
// A read that was in flight while a bucket was deleted or its configuration written must not
// cache what it read before that change: every change bumps `epoch`, and a read caches its
// result only if the epoch it started under is still current.

export class BucketCache {
  private readonly known = new Set<string>();
  private readonly configs = new Map<string, Buffer | null>();
  private epoch = 0;

  /** Runs `check` (which throws if the bucket is missing) unless the bucket is known to exist. */
  async assertExists(bucket: string, check: () => Promise<void>): Promise<void> {
    if (this.known.has(bucket)) return;
    const epoch = this.epoch;
    await check();
    if (epoch === this.epoch) this.known.add(bucket);
  }

  /** The configuration record (a copy: callers may keep it), read through `read` on a miss. */
  async config(bucket: string, read: () => Promise<Buffer | null>): Promise<Buffer | null> {
    const cached = this.configs.get(bucket);
    if (cached !== undefined) return cached && Buffer.from(cached);
    const epoch = this.epoch;
    const bytes = await read();
    if (epoch === this.epoch) this.configs.set(bucket, bytes && Buffer.from(bytes));
    return bytes;
  }

  /** Runs a configuration write; what it wrote is cached only if it completed. */
  async writeConfig(bucket: string, bytes: Buffer, write: () => Promise<void>): Promise<void> {
    try {
      await write();
      this.configs.set(bucket, Buffer.from(bytes));
    } catch (err) {
      this.configs.delete(bucket);
      throw err;
    } finally {
      this.epoch++;
    }
  }

  /** After a bucket's directory is gone. */
  deleted(bucket: string): void {
    this.known.delete(bucket);
    this.configs.delete(bucket);
    this.epoch++;
  }
}
