/**
 * Who may do what with multipart uploads, against a real gateway with IAM users made through
 * its IAM API: UploadPartCopy reads its source only as CopyObject would (s3:GetObject on it,
 * and kms:Decrypt on its key through S3), and ListParts / ListMultipartUploads name the user
 * who created an upload as its Initiator (its account as Owner), whoever lists.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand, ListPartsCommand, PutObjectCommand,
  UploadPartCopyCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { bucketName, createKmsKey, createUserClient, errorOf, useGateway } from '../harness.js';

const fx = useGateway();
const source = bucketName('mpauth-src');
const destination = bucketName('mpauth-dst');
const clients: S3Client[] = [];

/** A user that may write and list uploads in the destination, and whatever `extra` adds. */
async function user(name: string, extra: object[]): Promise<{ s3: S3Client; arn: string }> {
  const made = await createUserClient(fx.gw, name, {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:ListMultipartUploadParts'], Resource: `arn:aws:s3:::${destination}/*` },
      { Effect: 'Allow', Action: 's3:ListBucketMultipartUploads', Resource: `arn:aws:s3:::${destination}` },
      ...extra,
    ],
  });
  clients.push(made.s3);
  return made;
}

const readSource = { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${source}/*` };
const useKeys = { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*' };

beforeAll(async () => {
  for (const bucket of [source, destination]) await fx.gw.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const key = await createKmsKey(fx.gw);
  await fx.gw.s3.send(new PutObjectCommand({ Bucket: source, Key: 'secret', Body: 'bytes under a KMS key', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.keyId }));
});
afterAll(() => clients.forEach((c) => c.destroy()));

describe('UploadPartCopy authorises its source as CopyObject does', () => {
  async function attempt(client: S3Client, name: string): Promise<{ part: unknown; copy: unknown }> {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: destination, Key: `parts-of-${name}`, ServerSideEncryption: 'AES256' }));
    const settle = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'ok', async () => errorOf(p));
    return {
      part: await settle(client.send(new UploadPartCopyCommand({ Bucket: destination, Key: `parts-of-${name}`, UploadId, PartNumber: 1, CopySource: `${source}/secret` }))),
      copy: await settle(client.send(new CopyObjectCommand({ Bucket: destination, Key: `copy-of-${name}`, CopySource: `${source}/secret`, ServerSideEncryption: 'AES256' }))),
    };
  }

  it('refuses a caller without s3:GetObject on the source, even one that may use the key', async () => {
    const { s3 } = await user('no-read', [useKeys]);
    const denied = { name: 'AccessDenied', status: 403, message: 'Access Denied' };
    expect(await attempt(s3, 'no-read')).toEqual({ part: denied, copy: denied });
  });

  it('refuses a caller that may read the source but not decrypt under its key, as CopyObject refuses it', async () => {
    const { s3 } = await user('no-key', [readSource]);
    const { part, copy } = await attempt(s3, 'no-key');
    expect(part).toEqual(copy);
    expect(part).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect((part as { message: string }).message).toMatch(/kms:Decrypt/);
  });

  it('copies for a caller with both', async () => {
    const { s3 } = await user('both', [readSource, useKeys]);
    expect(await attempt(s3, 'both')).toEqual({ part: 'ok', copy: 'ok' });
  });
});

describe('Initiator and Owner of an upload', () => {
  it('are the user who created it and its account, whoever lists', async () => {
    const creator = await user('creator', []);
    const key = 'created-by-a-user';
    const { UploadId } = await creator.s3.send(new CreateMultipartUploadCommand({ Bucket: destination, Key: key, ServerSideEncryption: 'AES256' }));
    const account = creator.arn.split(':')[4];
    const expected = { Initiator: { ID: creator.arn, DisplayName: 'creator' }, Owner: { ID: account, DisplayName: 'creator' } };
    // The admin lists: still the creator's upload.
    const parts = await fx.gw.s3.send(new ListPartsCommand({ Bucket: destination, Key: key, UploadId }));
    expect({ Initiator: parts.Initiator, Owner: parts.Owner }).toEqual(expected);
    const uploads = await fx.gw.s3.send(new ListMultipartUploadsCommand({ Bucket: destination, Prefix: key }));
    expect(uploads.Uploads?.map((u) => ({ Initiator: u.Initiator, Owner: u.Owner }))).toEqual([expected]);
  });
});
