/**
 * Bucket configuration through the JS SDK with default settings: location, default
 * encryption and its effect on new objects, ACLs under BucketOwnerEnforced, the answers for
 * sub-resources nobody configured, and virtual-hosted-style addressing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { Agent, type AgentOptions } from 'node:http';
import {
  CreateBucketCommand,
  S3Client,
  DeleteBucketCorsCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketTaggingCommand,
  GetBucketAccelerateConfigurationCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketReplicationCommand,
  GetBucketRequestPaymentCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetBucketWebsiteCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListBucketAnalyticsConfigurationsCommand,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type ServerSideEncryptionConfiguration,
} from '@aws-sdk/client-s3';
import { bodyBytes, bucketName, createKmsKey, errorOf, startTestGateway, useGatewayWithBucket, type TestGateway } from '../harness.js';
import { findObjectFiles } from '../disk.js';

const fx = useGatewayWithBucket('conf');

async function newBucket(prefix: string): Promise<string> {
  const name = bucketName(prefix);
  await fx.gw.s3.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

function kmsDefault(keyId?: string, bucketKey?: boolean): ServerSideEncryptionConfiguration {
  return { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyId }, BucketKeyEnabled: bucketKey }] };
}

describe('GetBucketLocation', () => {
  it('answers the empty constraint in us-east-1 and NoSuchBucket for a missing bucket', async () => {
    const got = await fx.gw.s3.send(new GetBucketLocationCommand({ Bucket: fx.bucket }));
    expect(got.LocationConstraint ?? '').toBe('');
    expect(await errorOf(fx.gw.s3.send(new GetBucketLocationCommand({ Bucket: 'no-such-bucket-here' })))).toMatchObject({ name: 'NoSuchBucket', status: 404 });
  });

  it('names the region elsewhere', async () => {
    const eu = await startTestGateway({ region: 'eu-west-1' });
    try {
      const name = bucketName('loc');
      await eu.s3.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      expect((await eu.s3.send(new GetBucketLocationCommand({ Bucket: name }))).LocationConstraint).toBe('eu-west-1');
    } finally {
      await eu.stop();
    }
  });
});

describe('bucket default encryption', () => {
  let keyArn: string;
  let keyId: string;

  beforeAll(async () => {
    ({ keyArn, keyId } = await createKmsKey(fx.gw));
  });

  it('is SSE-S3 with bucket keys off on a new bucket', async () => {
    const got = await fx.gw.s3.send(new GetBucketEncryptionCommand({ Bucket: await newBucket('enc') }));
    expect(got.ServerSideEncryptionConfiguration).toEqual({
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }],
    });
  });

  it('stores KMSMasterKeyID as given and BucketKeyEnabled, and echoes both', async () => {
    const bucket = await newBucket('enc');
    await fx.gw.s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: kmsDefault(keyId, true) }));
    const got = await fx.gw.s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    expect(got.ServerSideEncryptionConfiguration).toEqual(kmsDefault(keyId, true));
  });

  it('encrypts a PUT without SSE headers under the default key, and the record on disk names its ARN', async () => {
    const bucket = await newBucket('enc');
    await fx.gw.s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: kmsDefault(keyId) }));
    const put = await fx.gw.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'by-default', Body: 'default kms' }));
    expect(put.ServerSideEncryption).toBe('aws:kms');
    expect(put.SSEKMSKeyId).toBe(keyArn);
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'by-default' }));
    expect([head.ServerSideEncryption, head.SSEKMSKeyId]).toEqual(['aws:kms', keyArn]);
    const { recordPath } = await findObjectFiles(fx.gw.dataDir, bucket, 'by-default');
    expect((await readFile(recordPath)).toString('latin1')).toContain(`"kmsKeyArn":"${keyArn}"`);
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'by-default' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('default kms');
  });

  it('lets request headers override the default, both ways', async () => {
    const bucket = await newBucket('enc');
    await fx.gw.s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: kmsDefault(keyId) }));
    const plain = await fx.gw.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 's3', Body: 'x', ServerSideEncryption: 'AES256' }));
    expect([plain.ServerSideEncryption, plain.SSEKMSKeyId]).toEqual(['AES256', undefined]);
    const other = await fx.gw.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'managed', Body: 'x', ServerSideEncryption: 'aws:kms' }));
    expect(other.SSEKMSKeyId).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\//);
    expect(other.SSEKMSKeyId).not.toBe(keyArn); // aws/s3, not the bucket's key

    const s3Bucket = await newBucket('enc');
    const kms = await fx.gw.s3.send(new PutObjectCommand({ Bucket: s3Bucket, Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn }));
    expect(kms.SSEKMSKeyId).toBe(keyArn);
  });

  it('aws:kms without a key uses aws/s3, and GET shows no KMSMasterKeyID', async () => {
    const bucket = await newBucket('enc');
    await fx.gw.s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: kmsDefault() }));
    const got = await fx.gw.s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    expect(got.ServerSideEncryptionConfiguration!.Rules![0]!.ApplyServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'aws:kms' });
    const put = await fx.gw.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' }));
    expect(put.ServerSideEncryption).toBe('aws:kms');
    expect(put.SSEKMSKeyId).toMatch(/:key\//);
  });

  it('Delete resets to SSE-S3 (idempotently); old objects keep what they were written with', async () => {
    const bucket = await newBucket('enc');
    await fx.gw.s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: kmsDefault(keyId) }));
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'old', Body: 'x' }));
    const deleted = await fx.gw.s3.send(new DeleteBucketEncryptionCommand({ Bucket: bucket }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    await fx.gw.s3.send(new DeleteBucketEncryptionCommand({ Bucket: bucket }));
    expect((await fx.gw.s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration!.Rules![0]!.ApplyServerSideEncryptionByDefault!.SSEAlgorithm).toBe('AES256');
    const fresh = await fx.gw.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'new', Body: 'x' }));
    expect(fresh.ServerSideEncryption).toBe('AES256');
    const old = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'old' }));
    expect([old.ServerSideEncryption, old.SSEKMSKeyId]).toEqual(['aws:kms', keyArn]);
  });

  it('refuses KMSMasterKeyID with AES256, and answers NoSuchBucket for a missing bucket', async () => {
    const bucket = await newBucket('enc');
    const config: ServerSideEncryptionConfiguration = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: keyId } }] };
    const err = await errorOf(fx.gw.s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: config })));
    expect(err).toMatchObject({ name: 'InvalidArgument', status: 400, message: 'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse' });
    expect(await errorOf(fx.gw.s3.send(new PutBucketEncryptionCommand({ Bucket: 'no-such-bucket-here', ServerSideEncryptionConfiguration: kmsDefault() })))).toMatchObject({ name: 'NoSuchBucket', status: 404 });
    expect(await errorOf(fx.gw.s3.send(new GetBucketEncryptionCommand({ Bucket: 'no-such-bucket-here' })))).toMatchObject({ name: 'NoSuchBucket' });
    expect(await errorOf(fx.gw.s3.send(new DeleteBucketEncryptionCommand({ Bucket: 'no-such-bucket-here' })))).toMatchObject({ name: 'NoSuchBucket' });
  });

  it('refuses no rule or two rules with MalformedXML', async () => {
    const bucket = await newBucket('enc');
    for (const Rules of [[], [kmsDefault().Rules![0]!, kmsDefault().Rules![0]!]]) {
      const err = await errorOf(fx.gw.s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules } })));
      expect(err).toMatchObject({ name: 'MalformedXML', status: 400 });
    }
  });
});

describe('ACLs under BucketOwnerEnforced', () => {
  beforeAll(async () => {
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'acl-object', Body: 'x' }));
  });

  it('GetBucketAcl and GetObjectAcl answer the owner with FULL_CONTROL', async () => {
    for (const acl of [
      await fx.gw.s3.send(new GetBucketAclCommand({ Bucket: fx.bucket })),
      await fx.gw.s3.send(new GetObjectAclCommand({ Bucket: fx.bucket, Key: 'acl-object' })),
    ]) {
      expect(acl.Owner).toEqual({ ID: fx.gw.accountId });
      expect(acl.Grants).toEqual([{ Grantee: { ID: fx.gw.accountId, Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' }]);
    }
    expect(await errorOf(fx.gw.s3.send(new GetObjectAclCommand({ Bucket: fx.bucket, Key: 'missing' })))).toMatchObject({ name: 'NoSuchKey', status: 404 });
  });

  it('GetBucketOwnershipControls answers BucketOwnerEnforced', async () => {
    const got = await fx.gw.s3.send(new GetBucketOwnershipControlsCommand({ Bucket: fx.bucket }));
    expect(got.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  it('accepts private and bucket-owner-full-control, and the owner-only policy document', async () => {
    await fx.gw.s3.send(new PutBucketAclCommand({ Bucket: fx.bucket, ACL: 'private' }));
    await fx.gw.s3.send(new PutObjectAclCommand({ Bucket: fx.bucket, Key: 'acl-object', ACL: 'bucket-owner-full-control' }));
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'private-put', Body: 'x', ACL: 'private' }));
    const ownerOnly = {
      Owner: { ID: fx.gw.accountId },
      Grants: [{ Grantee: { ID: fx.gw.accountId, Type: 'CanonicalUser' as const }, Permission: 'FULL_CONTROL' as const }],
    };
    await fx.gw.s3.send(new PutBucketAclCommand({ Bucket: fx.bucket, AccessControlPolicy: ownerOnly }));
  });

  it('refuses public-read and grants with AccessControlListNotSupported, storing nothing', async () => {
    const refused = { name: 'AccessControlListNotSupported', status: 400, message: 'The bucket does not allow ACLs' };
    expect(await errorOf(fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'public', Body: 'x', ACL: 'public-read' })))).toMatchObject(refused);
    expect(await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'public' })))).toMatchObject({ status: 404 });
    expect(await errorOf(fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'granted', Body: 'x', GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' })))).toMatchObject(refused);
    expect(await errorOf(fx.gw.s3.send(new PutBucketAclCommand({ Bucket: fx.bucket, ACL: 'public-read' })))).toMatchObject(refused);
    expect(await errorOf(fx.gw.s3.send(new PutObjectAclCommand({ Bucket: fx.bucket, Key: 'acl-object', ACL: 'public-read-write' })))).toMatchObject(refused);
    const allUsers = {
      Owner: { ID: fx.gw.accountId },
      Grants: [{ Grantee: { URI: 'http://acs.amazonaws.com/groups/global/AllUsers', Type: 'Group' as const }, Permission: 'READ' as const }],
    };
    expect(await errorOf(fx.gw.s3.send(new PutObjectAclCommand({ Bucket: fx.bucket, Key: 'acl-object', AccessControlPolicy: allUsers })))).toMatchObject(refused);
    expect((await fx.gw.s3.send(new GetObjectAclCommand({ Bucket: fx.bucket, Key: 'acl-object' }))).Grants).toHaveLength(1);
  });

  it('CreateBucket with public-read is InvalidBucketAclWithObjectOwnership; with private it succeeds', async () => {
    const name = bucketName('acl');
    const err = await errorOf(fx.gw.s3.send(new CreateBucketCommand({ Bucket: name, ACL: 'public-read' })));
    expect(err).toMatchObject({ name: 'InvalidBucketAclWithObjectOwnership', status: 400, message: "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting" });
    expect(await errorOf(fx.gw.s3.send(new GetBucketAclCommand({ Bucket: name })))).toMatchObject({ name: 'NoSuchBucket' });
    await fx.gw.s3.send(new CreateBucketCommand({ Bucket: name, ACL: 'private', ObjectOwnership: 'BucketOwnerEnforced' }));
    expect(await errorOf(fx.gw.s3.send(new CreateBucketCommand({ Bucket: bucketName('acl'), ObjectOwnership: 'ObjectWriter' })))).toMatchObject({ name: 'NotImplemented', status: 501 });
  });
});

describe('sub-resources nobody configured', () => {
  const bucketErrors: [string, string, (b: string) => Promise<unknown>][] = [
    ['cors', 'NoSuchCORSConfiguration', (b) => fx.gw.s3.send(new GetBucketCorsCommand({ Bucket: b }))],
    ['policy', 'NoSuchBucketPolicy', (b) => fx.gw.s3.send(new GetBucketPolicyCommand({ Bucket: b }))],
    ['policyStatus', 'NoSuchBucketPolicy', (b) => fx.gw.s3.send(new GetBucketPolicyStatusCommand({ Bucket: b }))],
    ['lifecycle', 'NoSuchLifecycleConfiguration', (b) => fx.gw.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b }))],
    ['tagging', 'NoSuchTagSet', (b) => fx.gw.s3.send(new GetBucketTaggingCommand({ Bucket: b }))],
    ['website', 'NoSuchWebsiteConfiguration', (b) => fx.gw.s3.send(new GetBucketWebsiteCommand({ Bucket: b }))],
    ['replication', 'ReplicationConfigurationNotFoundError', (b) => fx.gw.s3.send(new GetBucketReplicationCommand({ Bucket: b }))],
    ['object-lock', 'ObjectLockConfigurationNotFoundError', (b) => fx.gw.s3.send(new GetObjectLockConfigurationCommand({ Bucket: b }))],
  ];

  it.each(bucketErrors)('GET ?%s answers 404 %s, and a missing bucket NoSuchBucket first', async (_name, code, call) => {
    expect(await errorOf(call(fx.bucket))).toMatchObject({ name: code, status: 404 });
    expect(await errorOf(call('no-such-bucket-here'))).toMatchObject({ name: 'NoSuchBucket', status: 404 });
  });

  it('answers the documents S3 sends for a bucket never configured', async () => {
    const b = { Bucket: fx.bucket };
    expect((await fx.gw.s3.send(new GetPublicAccessBlockCommand(b))).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true,
    });
    const versioning = await fx.gw.s3.send(new GetBucketVersioningCommand(b));
    expect([versioning.Status, versioning.MFADelete]).toEqual([undefined, undefined]);
    expect((await fx.gw.s3.send(new GetBucketAccelerateConfigurationCommand(b))).Status).toBeUndefined();
    expect((await fx.gw.s3.send(new GetBucketRequestPaymentCommand(b))).Payer).toBe('BucketOwner');
    expect((await fx.gw.s3.send(new GetBucketLoggingCommand(b))).LoggingEnabled).toBeUndefined();
    const notification = await fx.gw.s3.send(new GetBucketNotificationConfigurationCommand(b));
    expect(notification.$metadata.httpStatusCode).toBe(200);
    const analytics = await fx.gw.s3.send(new ListBucketAnalyticsConfigurationsCommand(b));
    expect([analytics.IsTruncated, analytics.AnalyticsConfigurationList]).toEqual([false, undefined]);
  });

  it('object tagging reads as an empty TagSet; a missing key is NoSuchKey; no Object Lock here', async () => {
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'tagged', Body: 'x' }));
    const tags = await fx.gw.s3.send(new GetObjectTaggingCommand({ Bucket: fx.bucket, Key: 'tagged' }));
    expect(tags.TagSet).toEqual([]);
    expect(await errorOf(fx.gw.s3.send(new GetObjectTaggingCommand({ Bucket: fx.bucket, Key: 'missing' })))).toMatchObject({ name: 'NoSuchKey' });
    expect(await errorOf(fx.gw.s3.send(new GetObjectLegalHoldCommand({ Bucket: fx.bucket, Key: 'tagged' })))).toMatchObject({
      name: 'InvalidRequest', status: 400, message: 'Bucket is missing Object Lock Configuration',
    });
  });

  it('writes we do not serve are NotImplemented, never a silent success; deleting nothing is 204', async () => {
    const notImplemented = { name: 'NotImplemented', status: 501 };
    const b = fx.bucket;
    // Bucket policies are served (s3-authz.test.ts): an empty one is malformed, not stored.
    expect(await errorOf(fx.gw.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: '{"Version":"2012-10-17","Statement":[]}' })))).toMatchObject({ name: 'MalformedPolicy', status: 400 });
    expect(await errorOf(fx.gw.s3.send(new PutBucketTaggingCommand({ Bucket: b, Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] } })))).toMatchObject(notImplemented);
    expect(await errorOf(fx.gw.s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } })))).toMatchObject(notImplemented);
    expect(await errorOf(fx.gw.s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'tagged', Tagging: { TagSet: [] } })))).toMatchObject(notImplemented);
    expect(await errorOf(fx.gw.s3.send(new PutBucketCorsCommand({ Bucket: 'no-such-bucket-here', CORSConfiguration: { CORSRules: [] } })))).toMatchObject({ name: 'NoSuchBucket' });
    expect(await errorOf(fx.gw.s3.send(new GetBucketCorsCommand({ Bucket: b })))).toMatchObject({ name: 'NoSuchCORSConfiguration' });
    expect((await fx.gw.s3.send(new DeleteBucketCorsCommand({ Bucket: b }))).$metadata.httpStatusCode).toBe(204);
    expect((await fx.gw.s3.send(new DeleteBucketTaggingCommand({ Bucket: b }))).$metadata.httpStatusCode).toBe(204);
  });
});

describe('virtual-hosted-style addressing', () => {
  let vh: TestGateway;

  beforeAll(async () => {
    vh = await startTestGateway({ domain: 'localhost' });
  });
  afterAll(async () => {
    await vh?.stop();
  });

  it('serves <bucket>.<domain> beside path style, signatures over the path as sent', async () => {
    // *.localhost names loopback (RFC 6761); not every resolver knows it, so say so.
    const lookup: AgentOptions['lookup'] = (_host, opts, cb) => {
      if (opts.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
      else cb(null, '127.0.0.1', 4);
    };
    const port = new URL(vh.endpoint).port;
    const virtual = new S3Client({
      endpoint: `http://localhost:${port}`,
      region: vh.region,
      credentials: vh.credentials,
      forcePathStyle: false,
      requestHandler: { httpAgent: new Agent({ lookup }) },
    });
    try {
      const bucket = bucketName('vh');
      let hostSeen: string | undefined;
      virtual.middlewareStack.add((next) => async (args) => {
        hostSeen ??= (args.request as { hostname?: string }).hostname;
        return next(args);
      }, { step: 'finalizeRequest' });
      await virtual.send(new CreateBucketCommand({ Bucket: bucket }));
      expect(hostSeen).toBe(`${bucket}.localhost`);
      const key = 'dir//odd ../name+1';
      await virtual.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'virtual', ServerSideEncryption: 'aws:kms' }));
      const got = await virtual.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect((await bodyBytes(got.Body)).toString()).toBe('virtual');
      expect((await virtual.send(new GetBucketAclCommand({ Bucket: bucket }))).Grants).toHaveLength(1);
      // The same object through path style.
      const viaPath = await vh.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect((await bodyBytes(viaPath.Body)).toString()).toBe('virtual');
    } finally {
      virtual.destroy();
    }
  });
});
