/**
 * Bucket configuration on the wire, below what the SDKs show: exact documents, the checksum
 * S3 demands on PutBucketEncryption, bodies S3 refuses, signed virtual-hosted requests; and
 * the AWS CLI's s3api for the same operations.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import request from 'supertest';
import { bucketName, createKmsKey, startTestGateway, useGatewayWithBucket } from '../harness.js';
import { sha256Hex, signHeaders } from '../signing.js';

const fx = useGatewayWithBucket('craw');

function errorCode(text: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
}

/** A signed request with `body`; `headers` may add Content-MD5, Host and the like. */
async function send(method: 'GET' | 'PUT' | 'DELETE', path: string, query: Record<string, string>, body = '', headers: Record<string, string> = {}, endpoint = fx.gw.endpoint, credentials = fx.gw.credentials): Promise<request.Response> {
  const signed = await signHeaders(endpoint, credentials, fx.gw.region, { method, path, query, headers }, { payloadHash: sha256Hex(body) });
  const search = new URLSearchParams(query).toString().replace(/=(&|$)/g, '$1');
  const url = `${path}${search ? `?${search}` : ''}`;
  const agent = request(endpoint);
  const req = method === 'GET' ? agent.get(url) : method === 'PUT' ? agent.put(url) : agent.delete(url);
  return req.set(signed).send(body);
}

const md5 = (text: string): string => createHash('md5').update(text).digest('base64');
const ENCRYPTION = '<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>';

describe('documents as S3 writes them', () => {
  it('GetBucketAcl: owner, then the CanonicalUser grantee with its xsi:type', async () => {
    const res = await send('GET', `/${fx.bucket}`, { acl: '' });
    expect(res.status).toBe(200);
    const id = fx.gw.accountId;
    expect(res.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        `<Owner><ID>${id}</ID></Owner><AccessControlList><Grant>` +
        `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${id}</ID></Grantee>` +
        '<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>',
    );
  });

  it('GetBucketLocation in us-east-1 is an empty LocationConstraint', async () => {
    const res = await send('GET', `/${fx.bucket}`, { location: '' });
    expect(res.text).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>');
  });

  it('an unconfigured CORS answers NoSuchCORSConfiguration with the bucket name', async () => {
    const res = await send('GET', `/${fx.bucket}`, { cors: '' });
    expect(res.status).toBe(404);
    expect(res.text).toContain('<Code>NoSuchCORSConfiguration</Code><Message>The CORS configuration does not exist</Message>');
    expect(res.text).toContain(`<BucketName>${fx.bucket}</BucketName>`);
  });
});

describe('PutBucketEncryption bodies', () => {
  it('needs Content-MD5 or an x-amz-checksum header', async () => {
    const res = await send('PUT', `/${fx.bucket}`, { encryption: '' }, ENCRYPTION);
    expect(res.status).toBe(400);
    expect(errorCode(res.text)).toBe('InvalidRequest');
    expect(res.text).toContain('<Message>Missing required header for this request: Content-MD5 OR x-amz-checksum-*</Message>');
    expect((await send('PUT', `/${fx.bucket}`, { encryption: '' }, ENCRYPTION, { 'content-md5': md5(ENCRYPTION) })).status).toBe(200);
    const wrong = await send('PUT', `/${fx.bucket}`, { encryption: '' }, ENCRYPTION, { 'content-md5': md5('other') });
    expect(errorCode(wrong.text)).toBe('BadDigest');
  });

  it.each([
    ['a DOCTYPE', `<!DOCTYPE x [<!ENTITY a "AES256">]><ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>&a;</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`],
    ['two roots', `${ENCRYPTION}${ENCRYPTION}`],
    ['an unknown algorithm', ENCRYPTION.replace('AES256', 'ROT13')],
    ['an unknown element', ENCRYPTION.replace('<Rule>', '<Rule><Extra/>')],
    ['a non-boolean BucketKeyEnabled', ENCRYPTION.replace('</Rule>', '<BucketKeyEnabled>yes</BucketKeyEnabled></Rule>')],
    ['no XML at all', 'AES256'],
    ['an empty body', ''],
  ])('refuses %s with MalformedXML', async (_what, body) => {
    const res = await send('PUT', `/${fx.bucket}`, { encryption: '' }, body, { 'content-md5': md5(body) });
    expect(res.status).toBe(400);
    expect(errorCode(res.text)).toBe('MalformedXML');
  });
});

describe('ACL writes', () => {
  it('refuses a grant header on PutBucketAcl and a public-read CreateBucket, and accepts a private one', async () => {
    const grant = await send('PUT', `/${fx.bucket}`, { acl: '' }, '', { 'x-amz-grant-read': 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' });
    expect([grant.status, errorCode(grant.text)]).toEqual([400, 'AccessControlListNotSupported']);
    const name = bucketName('craw');
    const pub = await send('PUT', `/${name}`, {}, '', { 'x-amz-acl': 'public-read' });
    expect([pub.status, errorCode(pub.text)]).toEqual([400, 'InvalidBucketAclWithObjectOwnership']);
    expect((await send('PUT', `/${name}`, {}, '', { 'x-amz-acl': 'private' })).status).toBe(200);
  });

  it('refuses a malformed policy document with MalformedACLError', async () => {
    const res = await send('PUT', `/${fx.bucket}`, { acl: '' }, '<AccessControlPolicy><Oops/></AccessControlPolicy>');
    expect([res.status, errorCode(res.text)]).toEqual([400, 'MalformedACLError']);
  });

  const policy = (grantee: string): string =>
    `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>${fx.gw.accountId}</ID></Owner><AccessControlList>` +
    `<Grant>${grantee}<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`;
  const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

  it('reads the Grantee by its xsi:type: the owner as CanonicalUser is accepted, on the bucket and an object', async () => {
    const body = policy(`<Grantee ${XSI} xsi:type="CanonicalUser"><ID>${fx.gw.accountId}</ID></Grantee>`);
    expect((await send('PUT', `/${fx.bucket}`, { acl: '' }, body)).status).toBe(200);
    expect((await send('PUT', `/${fx.bucket}/raw-acl`, {}, 'x')).status).toBe(200);
    expect((await send('PUT', `/${fx.bucket}/raw-acl`, { acl: '' }, body)).status).toBe(200);
  });

  it.each([
    ['a Grantee without xsi:type', `<Grantee><ID>OWNER</ID></Grantee>`],
    ['an unknown xsi:type', `<Grantee ${XSI} xsi:type="Robot"><ID>OWNER</ID></Grantee>`],
    ['another attribute', `<Grantee ${XSI} xsi:type="CanonicalUser" id="1"><ID>OWNER</ID></Grantee>`],
  ])('refuses %s with MalformedACLError', async (_what, grantee) => {
    const res = await send('PUT', `/${fx.bucket}`, { acl: '' }, policy(grantee.replace('OWNER', fx.gw.accountId)));
    expect([res.status, errorCode(res.text)]).toEqual([400, 'MalformedACLError']);
  });

  it('refuses a DTD in a policy document with MalformedACLError', async () => {
    const body = `<!DOCTYPE a [<!ENTITY id "${fx.gw.accountId}">]>${policy(`<Grantee ${XSI} xsi:type="CanonicalUser"><ID>&id;</ID></Grantee>`)}`;
    const res = await send('PUT', `/${fx.bucket}`, { acl: '' }, body);
    expect([res.status, errorCode(res.text)]).toEqual([400, 'MalformedACLError']);
  });

  it('answers the owner ID typed as a Group with AccessControlListNotSupported', async () => {
    const res = await send('PUT', `/${fx.bucket}`, { acl: '' }, policy(`<Grantee ${XSI} xsi:type="Group"><ID>${fx.gw.accountId}</ID></Grantee>`));
    expect([res.status, errorCode(res.text)]).toEqual([400, 'AccessControlListNotSupported']);
  });
});

describe('virtual-hosted style, signed', () => {
  it('verifies the signature over the path as sent, without the bucket', async () => {
    const vh = await startTestGateway({ domain: 's3.localhost' });
    try {
      const bucket = bucketName('rawvh');
      const host = `${bucket}.s3.localhost:${new URL(vh.endpoint).port}`;
      const put = (path: string, body: string): Promise<request.Response> => send('PUT', path, {}, body, { host }, vh.endpoint, vh.credentials);
      expect((await put('/', '')).status).toBe(200);
      expect((await put('/a//../b', 'odd key')).status).toBe(200);
      const got = await send('GET', '/a//../b', {}, '', { host }, vh.endpoint, vh.credentials);
      expect([got.status, got.text]).toEqual([200, 'odd key']);
      // Path style on the same gateway names the same object.
      const viaPath = await send('GET', `/${bucket}/a//../b`, {}, '', {}, vh.endpoint, vh.credentials);
      expect(viaPath.text).toBe('odd key');
      // A signature over the path-style path does not pass for the virtual-hosted request.
      const signedForPath = await signHeaders(vh.endpoint, vh.credentials, vh.region, { method: 'GET', path: `/${bucket}/a//../b`, headers: { host } }, { payloadHash: sha256Hex('') });
      const forged = await request(vh.endpoint).get('/a//../b').set(signedForPath);
      expect([forged.status, errorCode(forged.text)]).toEqual([403, 'SignatureDoesNotMatch']);
    } finally {
      await vh.stop();
    }
  });
});

describe('AWS CLI s3api', () => {
  const run = promisify(execFile);
  let keyId: string;

  beforeAll(async () => {
    ({ keyId } = await createKmsKey(fx.gw));
    await writeFile(fx.gw.env.AWS_CONFIG_FILE!, '[default]\ns3 =\n  addressing_style = path\n');
  });

  const aws = async (...args: string[]): Promise<unknown> => {
    const { stdout } = await run('/usr/bin/aws', ['--endpoint-url', fx.gw.endpoint, 's3api', ...args], { env: fx.gw.env });
    return stdout.trim() === '' ? undefined : JSON.parse(stdout);
  };

  it('put-, get- and delete-bucket-encryption, get-bucket-location, get-bucket-acl', async () => {
    const bucket = bucketName('cli');
    await aws('create-bucket', '--bucket', bucket);
    const config = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyId }, BucketKeyEnabled: true }] };
    await aws('put-bucket-encryption', '--bucket', bucket, '--server-side-encryption-configuration', JSON.stringify(config));
    expect(await aws('get-bucket-encryption', '--bucket', bucket)).toEqual({ ServerSideEncryptionConfiguration: config });
    await aws('delete-bucket-encryption', '--bucket', bucket);
    expect(await aws('get-bucket-encryption', '--bucket', bucket)).toEqual({
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] },
    });
    expect(await aws('get-bucket-location', '--bucket', bucket)).toEqual({ LocationConstraint: null });
    const acl = (await aws('get-bucket-acl', '--bucket', bucket)) as { Grants: unknown[] };
    expect(acl.Grants).toEqual([{ Grantee: { ID: fx.gw.accountId, Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' }]);
    await expect(aws('put-bucket-acl', '--bucket', bucket, '--acl', 'public-read')).rejects.toThrow(/AccessControlListNotSupported/);
  });
});
