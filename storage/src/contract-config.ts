// ObjectStore contract: the per-bucket configuration record (opaque bytes to storage).
import { describe, expect, it } from '@jest/globals';
import { NoSuchBucketError } from './errors.js';
import type { ContractContext } from './contract-helpers.js';

export function describeBucketConfigCases(ctx: ContractContext): void {
  const { bucket } = ctx;
  describe('bucket configuration', () => {
    it('is null until written, then returns the bytes as written', async () => {
      expect(await ctx.store().getBucketConfig(bucket)).toBeNull();
      const bytes = Buffer.from([0, 1, 2, 255, 10]);
      await ctx.store().updateBucketConfig(bucket, (current) => {
        expect(current).toBeNull();
        return bytes;
      });
      expect(await ctx.store().getBucketConfig(bucket)).toEqual(bytes);
      await ctx.store().updateBucketConfig(bucket, (current) => {
        expect(current).toEqual(bytes);
        return Buffer.from('second');
      });
      expect((await ctx.store().getBucketConfig(bucket))?.toString()).toBe('second');
    });

    it('loses no update when many run at once', async () => {
      const append = (n: number) => (current: Buffer | null) => Buffer.from(`${current?.toString() ?? ''}${n},`);
      await Promise.all(Array.from({ length: 20 }, (_, n) => ctx.store().updateBucketConfig(bucket, append(n))));
      const written = (await ctx.store().getBucketConfig(bucket))!.toString().split(',').filter(Boolean).map(Number);
      expect(written.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    });

    it('keeps the old record when the update throws', async () => {
      await ctx.store().updateBucketConfig(bucket, () => Buffer.from('kept'));
      await expect(ctx.store().updateBucketConfig(bucket, () => { throw new Error('refused'); })).rejects.toThrow('refused');
      expect((await ctx.store().getBucketConfig(bucket))?.toString()).toBe('kept');
    });

    it('answers NoSuchBucket for a missing bucket, and a re-created bucket starts empty', async () => {
      await expect(ctx.store().getBucketConfig('no-such-bucket')).rejects.toBeInstanceOf(NoSuchBucketError);
      await expect(ctx.store().updateBucketConfig('no-such-bucket', () => Buffer.from('x'))).rejects.toBeInstanceOf(NoSuchBucketError);
      await ctx.store().createBucket('config-gone');
      await ctx.store().updateBucketConfig('config-gone', () => Buffer.from('x'));
      await ctx.store().deleteBucket('config-gone');
      await expect(ctx.store().getBucketConfig('config-gone')).rejects.toBeInstanceOf(NoSuchBucketError);
      await ctx.store().createBucket('config-gone');
      expect(await ctx.store().getBucketConfig('config-gone')).toBeNull();
    });

    it('forgets a deleted bucket that was in use: its writes, reads and configuration all answer NoSuchBucket', async () => {
      const store = ctx.store();
      await store.createBucket('used-then-gone');
      await store.updateBucketConfig('used-then-gone', () => Buffer.from('cfg'));
      const pending = await store.beginPut('used-then-gone', 'k');
      pending.stream.end(Buffer.from('data'));
      await pending.commit(Buffer.from('m'));
      expect((await store.getBucketConfig('used-then-gone'))?.toString()).toBe('cfg');
      await store.deleteObject('used-then-gone', 'k');
      await store.deleteBucket('used-then-gone');
      await expect(store.beginPut('used-then-gone', 'k')).rejects.toBeInstanceOf(NoSuchBucketError);
      await expect(store.getBucketConfig('used-then-gone')).rejects.toBeInstanceOf(NoSuchBucketError);
      await expect(store.updateBucketConfig('used-then-gone', () => Buffer.from('x'))).rejects.toBeInstanceOf(NoSuchBucketError);
      await expect(store.headObject('used-then-gone', 'k')).rejects.toBeInstanceOf(NoSuchBucketError);
    });

    it('hands out a copy: changing the returned bytes changes nothing stored', async () => {
      await ctx.store().updateBucketConfig(bucket, () => Buffer.from('abc'));
      const first = (await ctx.store().getBucketConfig(bucket))!;
      first.fill(0);
      expect((await ctx.store().getBucketConfig(bucket))?.toString()).toBe('abc');
    });
  });
}
