/**
 * Header-signed object GETs, HEADs and PUTs skip Express's per-request work (app.ts), and
 * everything else still goes through the Express app. Observed on Express's own `handle`,
 * which every request it serves passes through; nothing of ours is replaced.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createRequire } from 'node:module';
import { CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { bodyBytes, bucketName, startTestGateway, type TestGateway } from '../harness.js';

interface ExpressModule {
  application: { handle: (...args: unknown[]) => unknown };
}
const express = createRequire(new URL('../../../gateway/package.json', import.meta.url))('express') as ExpressModule;
// Installed before the app is made: Express copies `handle` onto each app it creates.
const handle = jest.spyOn(express.application, 'handle');

let gw: TestGateway;
const bucket = bucketName('fastpath');

beforeAll(async () => {
  gw = await startTestGateway();
  await gw.s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  await gw.stop();
  handle.mockRestore();
});

describe('the object fast path', () => {
  it('serves signed PUT, HEAD and GET of an object without Express', async () => {
    handle.mockClear();
    await gw.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'fast', ServerSideEncryption: 'aws:kms' }));
    expect((await gw.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }))).ContentLength).toBe(4);
    const got = await gw.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('fast');
    expect(handle).not.toHaveBeenCalled();
  });

  it('still hands other requests to the Express app', async () => {
    handle.mockClear();
    expect((await gw.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'm' }))).UploadId).toBeDefined();
    expect((await gw.kms.send(new ListKeysCommand({}))).Keys).toBeDefined();
    expect(handle).toHaveBeenCalledTimes(2);
  });
});
