// The behaviour every ObjectStore backend must show, as a jest suite. Each backend's test
// file calls runObjectStoreContract with a factory for a fresh, empty store. A separate
// entry from index.ts, so runtime code never loads jest.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { BucketExistsError, BucketNotEmptyError, NoSuchBucketError } from './errors.js';
import { keysOf, meta, putObject, type ContractFixture } from './contract-helpers.js';
import { describeBucketConfigCases } from './contract-config.js';
import { describeListingCases } from './contract-listing.js';
import { describeObjectCases } from './contract-objects.js';
import { describeConditionalCommitCases } from './contract-conditional.js';
import { describeMultipartCases } from './contract-multipart.js';
import type { ObjectStore } from './object-store.js';

export { putPart, readPieces } from './contract-multipart.js';
export { getData, keysOf, listingEntry, ODD_KEYS, putObject, readAll, type ContractFixture } from './contract-helpers.js';

export function runObjectStoreContract(name: string, create: () => Promise<ContractFixture>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let fixture: ContractFixture;
    let store: ObjectStore;
    const bucket = 'contract-bucket';

    beforeEach(async () => {
      fixture = await create();
      store = fixture.store;
      await store.createBucket(bucket);
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    describe('buckets', () => {
      it('creates, heads, lists in name order and deletes', async () => {
        await store.createBucket('zeta-bucket');
        await store.createBucket('alpha-bucket');
        const head = await store.headBucket('alpha-bucket');
        expect(head.name).toBe('alpha-bucket');
        expect(Number.isNaN(head.creationDate.getTime())).toBe(false);
        const listed = await store.listBuckets();
        expect(listed.map((b) => b.name)).toEqual(['alpha-bucket', bucket, 'zeta-bucket']);
        expect(listed[0].creationDate.getTime()).toBe(head.creationDate.getTime());
        await store.deleteBucket('alpha-bucket');
        await expect(store.headBucket('alpha-bucket')).rejects.toBeInstanceOf(NoSuchBucketError);
        expect((await store.listBuckets()).map((b) => b.name)).toEqual([bucket, 'zeta-bucket']);
      });

      it('refuses to create an existing bucket', async () => {
        const err = await store.createBucket(bucket).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BucketExistsError);
        expect((err as BucketExistsError).bucket).toBe(bucket);
      });

      it('reports missing buckets on every operation', async () => {
        const missing = 'no-such-bucket';
        await expect(store.headBucket(missing)).rejects.toBeInstanceOf(NoSuchBucketError);
        await expect(store.deleteBucket(missing)).rejects.toBeInstanceOf(NoSuchBucketError);
        await expect(store.beginPut(missing, 'k')).rejects.toBeInstanceOf(NoSuchBucketError);
        await expect(store.getObject(missing, 'k')).rejects.toBeInstanceOf(NoSuchBucketError);
        await expect(store.headObject(missing, 'k')).rejects.toBeInstanceOf(NoSuchBucketError);
        await expect(store.deleteObject(missing, 'k')).rejects.toBeInstanceOf(NoSuchBucketError);
        await expect(store.listObjects(missing, { limit: 10 })).rejects.toBeInstanceOf(NoSuchBucketError);
      });

      it('refuses to delete a bucket that holds an object, until it is gone', async () => {
        await putObject(store, bucket, 'deep/down/key', Buffer.from('x'), meta('x'));
        await expect(store.deleteBucket(bucket)).rejects.toBeInstanceOf(BucketNotEmptyError);
        await store.deleteObject(bucket, 'deep/down/key');
        await store.deleteBucket(bucket);
        await expect(store.headBucket(bucket)).rejects.toBeInstanceOf(NoSuchBucketError);
        await store.createBucket(bucket); // the name is free again
        expect(keysOf(await store.listObjects(bucket, { limit: 10 }))).toEqual([]);
      });
    });


    const ctx = { store: () => store, bucket };
    describeObjectCases(ctx);
    describeConditionalCommitCases(ctx);
    describeListingCases(ctx);
    describeBucketConfigCases(ctx);
    describeMultipartCases(ctx);
  });
}

/** The listing part alone, e.g. for a backend configured differently (tiny caches). */
export function runListingContract(name: string, create: () => Promise<ContractFixture>): void {
  describe(`ObjectStore listing contract: ${name}`, () => {
    let fixture: ContractFixture;
    const bucket = 'contract-bucket';
    beforeEach(async () => {
      fixture = await create();
      await fixture.store.createBucket(bucket);
    });
    afterEach(async () => {
      await fixture.cleanup();
    });
    describeListingCases({ store: () => fixture.store, bucket });
  });
}
