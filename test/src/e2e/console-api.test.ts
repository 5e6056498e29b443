/**
 * The APIs the console uses besides S3 and KMS, through real clients: CloudTrail
 * LookupEvents over the KMS audit trail (@aws-sdk/client-cloudtrail), the object-envelope
 * extension (a SigV4-signed GET), and how `/console` shares its path with a bucket of that name.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { CloudTrailClient, LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand, CreateMultipartUploadCommand, CompleteMultipartUploadCommand } from '@aws-sdk/client-s3';
import { DisableKeyCommand, EnableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createKmsKey, createUser, errorOf, useGatewayWithBucket } from '../harness.js';
import { findObjectFiles, gatewayRecordIn } from '../disk.js';
import { sha256Hex, signHeaders } from '../signing.js';
import { childText, readXml, s3ErrorOf, type XmlTree } from '../xml.js';

const fx = useGatewayWithBucket('console-api');

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const clients: { destroy(): void }[] = [];
afterAll(() => {
  clients.forEach((c) => c.destroy());
});

async function user(name: string, policy?: object): Promise<Credentials> {
  return (await createUser(fx.gw, name, ...(policy ? [policy] : []))).credentials;
}

function cloudTrail(credentials: Credentials = fx.gw.credentials): CloudTrailClient {
  const client = new CloudTrailClient({ endpoint: fx.gw.endpoint, region: fx.gw.region, credentials });
  clients.push(client);
  return client;
}

async function envelope(bucket: string, key: string, credentials: Credentials = fx.gw.credentials): Promise<{ status: number; text: string }> {
  const path = `/${bucket}/${key}`;
  const headers = await signHeaders(fx.gw.endpoint, credentials, fx.gw.region, { method: 'GET', path, query: { 'x-kmsgate-envelope': '' }, headers: {} }, { payloadHash: sha256Hex('') });
  const res = await fetch(`${fx.gw.endpoint}${path}?x-kmsgate-envelope`, { headers });
  return { status: res.status, text: await res.text() };
}

const all = (el: XmlTree, name: string): XmlTree[] => el.children.filter((c) => c.name === name);

describe('CloudTrail LookupEvents over the KMS audit trail', () => {
  it('answers newest first in CloudTrail shape, filtered by key (ResourceName) or by user (Username)', async () => {
    const { keyId, keyArn } = await createKmsKey(fx.gw);
    await fx.gw.kms.send(new DisableKeyCommand({ KeyId: keyId }));
    await fx.gw.kms.send(new EnableKeyCommand({ KeyId: keyArn }));
    const ct = cloudTrail();
    const byKey = await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: keyArn }] }));
    expect(byKey.Events!.map((e) => e.EventName)).toEqual(['EnableKey', 'DisableKey', 'CreateKey']);
    const enable = byKey.Events![0]!;
    expect(enable).toMatchObject({ EventSource: 'kms.amazonaws.com', ReadOnly: 'false', Username: 'admin', AccessKeyId: fx.gw.credentials.accessKeyId, Resources: [{ ResourceType: 'AWS::KMS::Key', ResourceName: keyArn }] });
    expect(enable.EventTime).toBeInstanceOf(Date);
    const record = JSON.parse(enable.CloudTrailEvent!) as { eventID: string; requestParameters: { keyId: string } };
    expect(record).toMatchObject({ eventID: enable.EventId, requestParameters: { keyId: keyArn } });
    // The key's id finds the same events as its ARN.
    const byId = await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: keyId }] }));
    expect(byId.Events!.map((e) => e.EventId)).toEqual(byKey.Events!.map((e) => e.EventId));

    const carol = await user('carol-ct', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*' }] });
    const carolKey = new KMSClient({ endpoint: fx.gw.endpoint, region: fx.gw.region, credentials: carol });
    clients.push(carolKey);
    expect((await errorOf(carolKey.send(new DisableKeyCommand({ KeyId: keyId }))))).toMatchObject({ name: 'AccessDeniedException' });
    const byUser = await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'carol-ct' }] }));
    expect(byUser.Events!.map((e: Event) => [e.EventName, JSON.parse(e.CloudTrailEvent!).errorCode])).toEqual([['DisableKey', 'AccessDeniedException']]);
  });

  it('pages with MaxResults and NextToken, and refuses what CloudTrail refuses', async () => {
    const ct = cloudTrail();
    const first = await ct.send(new LookupEventsCommand({ MaxResults: 2 }));
    expect(first.Events).toHaveLength(2);
    expect(first.NextToken).toBeDefined();
    const second = await ct.send(new LookupEventsCommand({ MaxResults: 2, NextToken: first.NextToken }));
    expect(second.Events![0]!.EventId).not.toBe(first.Events![1]!.EventId);
    expect((await errorOf(ct.send(new LookupEventsCommand({ MaxResults: 51 }))))).toMatchObject({ name: 'InvalidMaxResultsException', status: 400 });
    expect((await errorOf(ct.send(new LookupEventsCommand({ NextToken: 'nope' }))))).toMatchObject({ name: 'InvalidNextTokenException' });
    expect((await errorOf(ct.send(new LookupEventsCommand({ StartTime: new Date(2_000_000_000_000), EndTime: new Date(1_000_000_000_000) }))))).toMatchObject({ name: 'InvalidTimeRangeException' });
    const two = [{ AttributeKey: 'EventName' as const, AttributeValue: 'CreateKey' }, { AttributeKey: 'Username' as const, AttributeValue: 'admin' }];
    expect((await errorOf(ct.send(new LookupEventsCommand({ LookupAttributes: two }))))).toMatchObject({ name: 'InvalidLookupAttributesException' });
  });

  it('is authorised as cloudtrail:LookupEvents by the caller\'s identity policy', async () => {
    const dave = await user('dave-ct', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    const refused = await errorOf(cloudTrail(dave).send(new LookupEventsCommand({})));
    expect(refused).toMatchObject({ name: 'AccessDeniedException', status: 400 });
    expect(refused.message).toContain('cloudtrail:LookupEvents');
    const erin = await user('erin-ct', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'cloudtrail:LookupEvents', Resource: '*' }] });
    expect((await cloudTrail(erin).send(new LookupEventsCommand({ MaxResults: 1 }))).Events).toHaveLength(1);
    const wrong = await errorOf(cloudTrail({ ...erin, secretAccessKey: 'x'.repeat(40) }).send(new LookupEventsCommand({})));
    expect(wrong.name).toBe('InvalidSignatureException');
  });
});

describe('GET /bucket/key?x-kmsgate-envelope', () => {
  it('shows which key and material version wrap the data key, its fingerprint, context and segments, never the key', async () => {
    const { keyArn } = await createKmsKey(fx.gw);
    const body = Buffer.alloc(3 * 65536 + 5, 7);
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'env/one', Body: body, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn, SSEKMSEncryptionContext: Buffer.from('{"team":"blue"}').toString('base64') }));
    const { status, text } = await envelope(fx.bucket, 'env/one');
    expect(status).toBe(200);
    const doc = readXml(text);
    expect(doc.name).toBe('ObjectEnvelope');
    expect(childText(doc, 'ServerSideEncryption')).toBe('aws:kms');
    expect(childText(doc, 'SSEKMSKeyId')).toBe(keyArn);
    expect(childText(doc, 'SegmentCount')).toBe('4');
    expect(childText(doc, 'PlaintextSize')).toBe(String(body.length));
    const dataKey = doc.children.find((c) => c.name === 'DataKey')!;
    expect(childText(dataKey, 'WrappingKeyId')).toBe(keyArn.slice(keyArn.lastIndexOf('/') + 1));
    expect(childText(dataKey, 'KeyMaterialVersion')).toMatch(/^\d+$/);
    expect(childText(dataKey, 'BlobSha256')).toMatch(/^[0-9a-f]{64}$/);
    const context = Object.fromEntries(all(doc.children.find((c) => c.name === 'EncryptionContext')!, 'Entry').map((e) => [childText(e, 'Key'), childText(e, 'Value')]));
    expect(context).toEqual({ team: 'blue', 'aws:s3:arn': `arn:aws:s3:::${fx.bucket}/env/one` });
    // The fingerprint is of the stored wrapped key, which the envelope never carries itself.
    const { recordPath } = await findObjectFiles(fx.gw.dataDir, fx.bucket, 'env/one');
    const { wrappedDek } = await gatewayRecordIn<{ wrappedDek: string }>(recordPath);
    const blob = Buffer.from(wrappedDek, 'base64');
    expect(childText(dataKey, 'BlobSha256')).toBe(createHash('sha256').update(blob).digest('hex'));
    expect(childText(dataKey, 'BlobLength')).toBe(String(blob.length));
    expect(text).not.toContain(wrappedDek);
    expect(text).not.toContain(blob.toString('hex'));
  });

  it('counts the segments of each part of a multipart object, and works for SSE-S3', async () => {
    const { UploadId } = await fx.gw.s3.send(new CreateMultipartUploadCommand({ Bucket: fx.bucket, Key: 'env/mp' }));
    const parts = [];
    for (const [i, size] of [5 * 1024 * 1024, 70_000].entries()) {
      const { ETag } = await fx.gw.s3.send(new UploadPartCommand({ Bucket: fx.bucket, Key: 'env/mp', UploadId, PartNumber: i + 1, Body: Buffer.alloc(size, i) }));
      parts.push({ ETag, PartNumber: i + 1 });
    }
    await fx.gw.s3.send(new CompleteMultipartUploadCommand({ Bucket: fx.bucket, Key: 'env/mp', UploadId, MultipartUpload: { Parts: parts } }));
    const doc = readXml((await envelope(fx.bucket, 'env/mp')).text);
    expect(childText(doc, 'ServerSideEncryption')).toBe('AES256');
    expect(childText(doc, 'SSEKMSKeyId')).toBeUndefined();
    expect(all(doc, 'Stream').map((s) => [childText(s, 'PartNumber'), childText(s, 'SegmentCount')])).toEqual([['1', '80'], ['2', '2']]);
    expect(childText(doc, 'SegmentCount')).toBe('82');
  });

  it('is authorised as s3:GetObject on the object', async () => {
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'env/secret', Body: 'x' }));
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'env/open', Body: 'x' }));
    const frank = await user('frank-env', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${fx.bucket}/env/open` }] });
    expect((await envelope(fx.bucket, 'env/open', frank)).status).toBe(200);
    const refused = await envelope(fx.bucket, 'env/secret', frank);
    expect(refused.status).toBe(403);
    expect(s3ErrorOf(refused.text).code).toBe('AccessDenied');
    expect(s3ErrorOf((await envelope(fx.bucket, 'env/none')).text).code).toBe('NoSuchKey');
  });
});

describe('the /console path and a bucket named console', () => {
  it('serves the console to an unauthenticated GET with a strict CSP, and a signed GET /console stays ListObjects', async () => {
    const page = await fetch(`${fx.gw.endpoint}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy')!;
    for (const directive of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]) expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe');
    const html = await page.text();
    expect(html).toContain(`content="${fx.gw.region}"`);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect((await fetch(`${fx.gw.endpoint}/console/console.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${fx.gw.endpoint}/console/../gateway.js`)).status).not.toBe(200);
    expect((await fetch(`${fx.gw.endpoint}/console/serve.js`)).status).toBe(404);

    const s3: S3Client = fx.gw.s3;
    expect((await errorOf(s3.send(new ListObjectsV2Command({ Bucket: 'console' }))))).toMatchObject({ name: 'NoSuchBucket' });
    await s3.send(new CreateBucketCommand({ Bucket: 'console' }));
    await s3.send(new PutObjectCommand({ Bucket: 'console', Key: 'console.js', Body: 'mine' }));
    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'console' }))).Contents!.map((o) => o.Key)).toEqual(['console.js']);
  });
});
