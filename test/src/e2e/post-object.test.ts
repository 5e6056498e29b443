/**
 * POST Object end to end: forms signed by @aws-sdk/s3-presigned-post (SigV4) and by hand as
 * ceph's s3-tests sign them (SigV2), sent as real multipart/form-data bodies by Node's fetch,
 * read back with the JS SDK; the answers the form asks for; and each way a form is refused.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutBucketEncryptionCommand } from '@aws-sdk/client-s3';
import request from 'supertest';
import { bodyBytes, bucketName, createKmsKey, createUser, errorOf, startTestGateway, useGatewayWithBucket } from '../harness.js';
import { errorDocument, policyOf, postForm, sigV2Fields, type FormParts } from '../post-form.js';
import { childText, readXml } from '../xml.js';

const fx = useGatewayWithBucket('post');

type PresignInput = Omit<Parameters<typeof createPresignedPost>[1], 'Bucket'> & { Bucket?: string };

/** A form as the JS SDK presigns it, for this gateway. */
async function presign(input: PresignInput): Promise<{ url: string; fields: Record<string, string> }> {
  // The presigner's own copy of the S3 client type; the client is the same at run time.
  const client = fx.gw.s3 as unknown as Parameters<typeof createPresignedPost>[0];
  return createPresignedPost(client, { Bucket: fx.bucket, ...input });
}

function bucketUrl(bucket = fx.bucket): string {
  return `${fx.gw.endpoint}/${bucket}`;
}

async function getObject(key: string, bucket = fx.bucket) {
  const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { ...got, bytes: await bodyBytes(got.Body) };
}

/** A SigV2 form with the s3-tests base policy: key prefix, Content-Type, a size range. */
function sigV2Form(conditions: unknown[], fields: Record<string, string>, file: FormParts['file'] = { content: 'bar' }): FormParts {
  const policy = policyOf([{ bucket: fx.bucket }, ...conditions]);
  return { fields: { ...fields, ...sigV2Fields(fx.gw.credentials, policy) }, file };
}

describe('forms presigned by @aws-sdk/s3-presigned-post', () => {
  it('stores the file SSE-KMS encrypted under the form\'s key, with its metadata; answers 204 with ETag and Location', async () => {
    const { keyArn } = await createKmsKey(fx.gw);
    const fields = {
      'Content-Type': 'text/plain',
      'x-amz-meta-owner': 'ada',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': keyArn,
    };
    const { url, fields: signed } = await presign({ Key: 'docs/${filename}', Fields: fields, Conditions: [['content-length-range', 1, 1024]] });
    expect(url).toBe(bucketUrl());
    const answer = await postForm(url, { fields: signed, file: { content: 'hello from a form', filename: 'C:\\Users\\ada\\note.txt' } });
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect(answer.headers.get('location')).toBe(`${bucketUrl()}/docs%2Fnote.txt`);
    expect(answer.headers.get('x-amz-server-side-encryption')).toBe('aws:kms');
    expect(answer.headers.get('x-amz-server-side-encryption-aws-kms-key-id')).toBe(keyArn);
    expect(answer.headers.get('x-amz-checksum-type')).toBe('FULL_OBJECT');
    const got = await getObject('docs/note.txt');
    expect(got.bytes.toString()).toBe('hello from a form');
    expect(got).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn, ContentType: 'text/plain', Metadata: { owner: 'ada' } });
    expect(`"${got.ETag?.replaceAll('"', '')}"`).toBe(answer.headers.get('etag'));
  });

  it('answers success_action_status 201 with a PostResponse document, 200 empty, and anything else 204', async () => {
    const created = await presign({ Key: 'status/201', Fields: { success_action_status: '201' } });
    const answer = await postForm(created.url, { fields: created.fields, file: { content: 'x' } });
    expect(answer.status).toBe(201);
    const doc = readXml(answer.text);
    expect(doc.name).toBe('PostResponse');
    expect(answer.text).not.toContain('xmlns');
    expect([childText(doc, 'Location'), childText(doc, 'Bucket'), childText(doc, 'Key'), childText(doc, 'ETag')]).toEqual([
      `${bucketUrl()}/status%2F201`, fx.bucket, 'status/201', answer.headers.get('etag'),
    ]);
    const ok = await presign({ Key: 'status/200', Fields: { success_action_status: '200' } });
    expect(await postForm(ok.url, { fields: ok.fields, file: { content: 'x' } })).toMatchObject({ status: 200, text: '' });
    const other = await presign({ Key: 'status/404', Fields: { success_action_status: '404' } });
    expect((await postForm(other.url, { fields: other.fields, file: { content: 'x' } })).status).toBe(204);
  });

  it('redirects to success_action_redirect with bucket, key and etag, keeping the URL\'s own query; a relative one is no redirect', async () => {
    const redirect = 'http://app.test/done?from=form';
    const form = await presign({ Key: 'redirected/a b', Fields: { success_action_redirect: redirect } });
    const answer = await postForm(form.url, { fields: form.fields, file: { content: 'x' } });
    expect(answer.status).toBe(303);
    const etag = answer.headers.get('etag')!;
    expect(answer.headers.get('location')).toBe(`${redirect}&bucket=${fx.bucket}&key=redirected%2Fa+b&etag=${encodeURIComponent(etag)}`);
    const relative = await presign({ Key: 'redirected/relative', Fields: { success_action_redirect: '/wrong/redirect/relative' } });
    expect((await postForm(relative.url, { fields: relative.fields, file: { content: 'x' } })).status).toBe(204);
  });

  it('takes a file sent as a text field (a textarea): no file name, so ${filename} stays as written', async () => {
    const form = await presign({ Key: 'textarea/${filename}' });
    const body = new FormData();
    for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
    body.append('file', 'typed into a textarea');
    body.append('file', new Blob(['a second file, ignored']), 'second.txt');
    const answer = await fetch(form.url, { method: 'POST', body });
    expect(answer.status).toBe(204);
    expect((await getObject('textarea/${filename}')).bytes.toString()).toBe('typed into a textarea');
  });

  it('takes the bucket default encryption when the form names none', async () => {
    const bucket = bucketName('postdef');
    await fx.gw.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { keyArn } = await createKmsKey(fx.gw);
    await fx.gw.s3.send(new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } }] },
    }));
    const form = await presign({ Bucket: bucket, Key: 'by-default' });
    expect((await postForm(form.url, { fields: form.fields, file: { content: 'defaulted' } })).status).toBe(204);
    expect(await getObject('by-default', bucket)).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    const plain = await presign({ Key: 'sse-s3' });
    expect((await postForm(plain.url, { fields: plain.fields, file: { content: 'plain' } })).headers.get('x-amz-server-side-encryption')).toBe('AES256');
  });

  it('checks x-amz-checksum-* and Content-MD5 fields over the file, and stores the checksum', async () => {
    const sha256 = createHash('sha256').update('checked').digest('base64');
    const good = await presign({ Key: 'checksum/good', Fields: { 'x-amz-checksum-sha256': sha256 } });
    const answer = await postForm(good.url, { fields: good.fields, file: { content: 'checked' } });
    expect([answer.status, answer.headers.get('x-amz-checksum-sha256')]).toEqual([204, sha256]);
    const bad = await presign({ Key: 'checksum/bad', Fields: { 'x-amz-checksum-sha256': sha256 } });
    const refused = await postForm(bad.url, { fields: bad.fields, file: { content: 'tampered' } });
    expect([refused.status, errorDocument(refused.text).Code]).toEqual([400, 'BadDigest']);
    const md5 = await presign({ Key: 'checksum/md5', Fields: { 'Content-MD5': createHash('md5').update('other').digest('base64') } });
    const wrongMd5 = await postForm(md5.url, { fields: md5.fields, file: { content: 'checked' } });
    expect([wrongMd5.status, errorDocument(wrongMd5.text).Code]).toEqual([400, 'BadDigest']);
    expect(await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'checksum/bad' })))).toMatchObject({ status: 404 });
  });

  it('returns non-ASCII metadata RFC 2047-encoded, as S3 does for forms', async () => {
    const form = await presign({ Key: 'unicode', Fields: { 'x-amz-meta-name': 'ÄMÄZÕÑ S3', 'x-amz-meta-raw': '\u0000\u0001\u0002\u0003\u0004' } });
    expect((await postForm(form.url, { fields: form.fields, file: { content: 'x' } })).status).toBe(204);
    const head = await fetch(`${bucketUrl()}/unicode`, { method: 'HEAD' });
    expect(head.status).toBe(403); // unsigned: only to show nothing is served anonymously
    const got = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'unicode' }));
    expect(got.Metadata).toEqual({ name: '=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?=', raw: '=?UTF-8?B?AAECAwQ=?=' });
  });
});

describe('SigV2 forms (AWSAccessKeyId, policy, signature), as ceph\'s s3-tests send them', () => {
  const base = [['starts-with', '$key', 'foo'], { acl: 'private' }, ['starts-with', '$Content-Type', 'text/plain'], ['content-length-range', 0, 1024]];

  it('stores the file; field names in any case; x-ignore-* fields need no condition', async () => {
    const form = sigV2Form(base, { kEy: 'foo.txt', aCl: 'private', 'Content-Type': 'text/plain', 'x-ignore-foo': 'bar' });
    const answer = await postForm(bucketUrl(), form);
    expect(answer.status).toBe(204);
    expect(answer.headers.get('x-amz-server-side-encryption')).toBe('AES256');
    expect((await getObject('foo.txt')).bytes.toString()).toBe('bar');
  });

  it('refuses SSE-KMS, which needs SigV4', async () => {
    const form = sigV2Form([...base, { 'x-amz-server-side-encryption': 'aws:kms' }], { key: 'foo.kms', acl: 'private', 'Content-Type': 'text/plain', 'x-amz-server-side-encryption': 'aws:kms' });
    const answer = await postForm(bucketUrl(), form);
    expect([answer.status, errorDocument(answer.text)]).toEqual([400, expect.objectContaining({
      Code: 'InvalidArgument', Message: 'Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.',
    })]);
  });
});

describe('refused forms: S3\'s errors, answered after the whole request was read', () => {
  const refused = async (parts: FormParts, url = bucketUrl()) => {
    const answer = await postForm(url, parts);
    return { status: answer.status, ...errorDocument(answer.text) };
  };

  it('an expired policy, a failed condition and a field no condition covers: 403 AccessDenied with the reason', async () => {
    const expired = await presign({ Key: 'refused/expired', Expires: -10 });
    expect(await refused({ fields: expired.fields, file: { content: 'x' } })).toMatchObject({ status: 403, Code: 'AccessDenied', Message: 'Invalid according to Policy: Policy expired.' });
    const redirect = await presign({ Key: 'refused/cond', Conditions: [['eq', '$success_action_redirect', 'http://localhost.test/random']] });
    expect(await refused({ fields: { ...redirect.fields, success_action_redirect: 'http://localhost.test/other' }, file: { content: 'x' } })).toMatchObject({
      status: 403, Code: 'AccessDenied', Message: 'Invalid according to Policy: Policy Condition failed: ["eq", "$success_action_redirect", "http://localhost.test/random"]',
    });
    const extra = await presign({ Key: 'refused/extra' });
    expect(await refused({ fields: { ...extra.fields, 'x-amz-meta-note': 'n' }, file: { content: 'x' } })).toMatchObject({
      status: 403, Code: 'AccessDenied', Message: 'Invalid according to Policy: Extra input fields: x-amz-meta-note',
    });
    const otherBucket = bucketName('postother');
    await fx.gw.s3.send(new CreateBucketCommand({ Bucket: otherBucket }));
    const wrongBucket = await presign({ Key: 'refused/bucket' });
    expect(await refused({ fields: wrongBucket.fields, file: { content: 'x' } }, bucketUrl(otherBucket))).toMatchObject({ status: 403, Code: 'AccessDenied' });
    expect(await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'refused/extra' })))).toMatchObject({ status: 404 });
  });

  it('a form is a PutObject of its key for its signer: identity policies decide, SSE fields as condition keys', async () => {
    const iam = new IAMClient({ endpoint: fx.gw.endpoint, region: fx.gw.region, credentials: fx.gw.credentials });
    try {
      const { credentials: poster } = await createUser(fx.gw, 'poster');
      const form = (objectKey: string, sse: Record<string, string> = {}): FormParts => {
        const policy = policyOf([{ bucket: fx.bucket }, { key: objectKey }, ...Object.entries(sse).map(([name, value]) => ({ [name]: value }))]);
        return { fields: { key: objectKey, ...sse, ...sigV2Fields(poster, policy) }, file: { content: 'x' } };
      };
      expect(await refused(form('user/none'))).toMatchObject({ status: 403, Code: 'AccessDenied', Message: 'Access Denied' });
      await iam.send(new PutUserPolicyCommand({
        UserName: 'poster',
        PolicyName: 'uploads',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${fx.bucket}/user/*` },
            { Effect: 'Deny', Action: 's3:PutObject', Resource: '*', Condition: { StringEquals: { 's3:x-amz-server-side-encryption': 'AES256' } } },
          ],
        }),
      }));
      expect((await postForm(bucketUrl(), form('user/allowed'))).status).toBe(204);
      expect(await refused(form('elsewhere'))).toMatchObject({ status: 403, Code: 'AccessDenied' });
      expect(await refused(form('user/sse-s3', { 'x-amz-server-side-encryption': 'AES256' }))).toMatchObject({ status: 403, Code: 'AccessDenied' });
    } finally {
      iam.destroy();
    }
  });

  it('a file outside content-length-range: EntityTooLarge and EntityTooSmall with the file\'s size; the bounds are inclusive', async () => {
    const form = await presign({ Key: 'refused/size', Conditions: [['content-length-range', 5, 10]] });
    expect(await refused({ fields: form.fields, file: { content: 'x'.repeat(12) } })).toMatchObject({
      status: 400, Code: 'EntityTooLarge', Message: 'Your proposed upload exceeds the maximum allowed size', ProposedSize: '12', MaxSizeAllowed: '10',
    });
    expect(await refused({ fields: form.fields, file: { content: 'x' } })).toMatchObject({
      status: 400, Code: 'EntityTooSmall', Message: 'Your proposed upload is smaller than the minimum allowed object size.', ProposedSize: '1', MinSizeAllowed: '5',
    });
    for (const size of [5, 10]) expect((await postForm(bucketUrl(), { fields: form.fields, file: { content: 'x'.repeat(size) } })).status).toBe(204);
    // A megabyte over a small limit is read to its end before the answer, which the client gets.
    expect(await refused({ fields: form.fields, file: { content: new Uint8Array(1024 * 1024) } })).toMatchObject({ Code: 'EntityTooLarge', ProposedSize: String(1024 * 1024) });
  });

  it('a policy that is not one: 400 InvalidPolicyDocument', async () => {
    const form = sigV2Form([], { key: 'refused/doc' });
    const policy = Buffer.from(JSON.stringify({ EXPIRATION: '2030-01-01T00:00:00Z', conditions: [] })).toString('base64');
    expect(await refused({ fields: { key: 'refused/doc', ...sigV2Fields(fx.gw.credentials, policy) }, file: form.file })).toMatchObject({
      status: 400, Code: 'InvalidPolicyDocument', Message: "Invalid Policy: Unexpected: 'expiration'",
    });
    const empty = Buffer.from(JSON.stringify({ expiration: '2030-01-01T00:00:00Z', conditions: [{}] })).toString('base64');
    expect(await refused({ fields: { key: 'refused/doc', ...sigV2Fields(fx.gw.credentials, empty) }, file: form.file })).toMatchObject({ status: 400, Code: 'InvalidPolicyDocument' });
  });

  it('a missing signature: 400 InvalidArgument naming it; a wrong one: 403 SignatureDoesNotMatch over the policy', async () => {
    const form = await presign({ Key: 'refused/sig' });
    const unsigned = { ...form.fields };
    delete unsigned['X-Amz-Signature'];
    expect(await refused({ fields: unsigned, file: { content: 'x' } })).toMatchObject({
      status: 400, Code: 'InvalidArgument',
      Message: "Bucket POST must contain a field named 'X-Amz-Signature'.  If it is specified, please check the order of the fields.",
      ArgumentName: 'X-Amz-Signature', ArgumentValue: '',
    });
    // Fields after the file are ignored: a signature placed there is missing.
    expect(await refused({ fields: unsigned, file: { content: 'x' }, after: [['X-Amz-Signature', form.fields['X-Amz-Signature']]] })).toMatchObject({ Code: 'InvalidArgument', ArgumentName: 'X-Amz-Signature' });
    expect(await refused({ fields: { ...form.fields, 'X-Amz-Signature': '0'.repeat(64) }, file: { content: 'x' } })).toMatchObject({
      status: 403, Code: 'SignatureDoesNotMatch', StringToSign: form.fields.Policy, SignatureProvided: '0'.repeat(64),
    });
    const v2 = sigV2Form([{ key: 'refused/v2' }], { key: 'refused/v2' });
    const v2Fields = { ...(v2.fields as Record<string, string>) };
    delete v2Fields.signature;
    expect(await refused({ fields: v2Fields, file: v2.file })).toMatchObject({ status: 400, Code: 'InvalidArgument', ArgumentName: 'Signature' });
    expect(await refused({ fields: { key: 'refused/anonymous' }, file: { content: 'x' } })).toMatchObject({ status: 403, Code: 'AccessDenied', Message: 'Access Denied' });
  });

  it('ignores what follows the file, and answers a form without a file, with fields too large, or not a form', async () => {
    const form = await presign({ Key: 'after/file' });
    const answer = await postForm(bucketUrl(), { fields: form.fields, file: { content: 'first' }, after: [['x-amz-meta-late', 'uncovered'], ['key', 'elsewhere']] });
    expect(answer.status).toBe(204);
    expect((await getObject('after/file')).Metadata).toEqual({});
    expect(await refused({ fields: form.fields })).toMatchObject({
      status: 400, Code: 'InvalidArgument', Message: 'POST requires exactly one file upload per request.', ArgumentName: 'file', ArgumentValue: '0',
    });
    expect(await refused({ fields: { ...form.fields, 'x-ignore-pad': 'x'.repeat(20 * 1024) }, file: { content: 'x' } })).toMatchObject({
      status: 400, Code: 'MaxPostPreDataLengthExceeded', Message: 'Your POST request fields preceeding the upload file was too large.', MaxPostPreDataLengthBytes: '20480',
    });
    const notAForm = await fetch(bucketUrl(), { method: 'POST', headers: { 'Content-Type': 'text/html' }, body: 'x' });
    expect({ status: notAForm.status, ...errorDocument(await notAForm.text()) }).toMatchObject({
      status: 412, Code: 'PreconditionFailed', Condition: 'Bucket POST must be of the enclosure-type multipart/form-data',
    });
    const broken = await fetch(bucketUrl(), { method: 'POST', headers: { 'Content-Type': 'multipart/form-data' }, body: 'x' });
    expect({ status: broken.status, ...errorDocument(await broken.text()) }).toMatchObject({ status: 400, Code: 'MalformedPOSTRequest' });
  });
});

describe('a virtual-hosted form, sent by supertest', () => {
  it('POSTs to / on the bucket\'s host, and Location names the object on that host', async () => {
    const vh = await startTestGateway({ domain: 's3.localhost' });
    try {
      const bucket = bucketName('postvh');
      await vh.s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const host = `${bucket}.s3.localhost:${new URL(vh.endpoint).port}`;
      const policy = policyOf([{ bucket }, ['starts-with', '$key', 'vh/']]);
      const fields: Record<string, string> = { key: 'vh/${filename}', ...sigV2Fields(vh.credentials, policy) };
      let post = request(vh.endpoint).post('/').set('Host', host);
      for (const [name, value] of Object.entries(fields)) post = post.field(name, value);
      const answer = await post.attach('file', Buffer.from('virtually hosted'), 'v h.txt');
      expect([answer.status, answer.headers.location]).toEqual([204, `http://${host}/vh%2Fv%20h.txt`]);
      const got = await vh.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'vh/v h.txt' }));
      expect((await bodyBytes(got.Body)).toString()).toBe('virtually hosted');
    } finally {
      await vh.stop();
    }
  });
});
