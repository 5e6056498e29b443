/**
 * POST Object from Python, unmodified: Debian's boto3 `generate_presigned_post` (SigV4, with
 * SSE-KMS fields) sent by `requests`, and a SigV2 form built as ceph's s3-tests build theirs,
 * where every part, field or file, goes through `files=` and so carries a file name.
 */
import { describe, expect, it } from '@jest/globals';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { bodyBytes, createKmsKey, useGatewayWithBucket } from '../harness.js';
import { runTool, useToolSandbox } from '../tools.js';

const fx = useGatewayWithBucket('postpy');
const sandbox = useToolSandbox(fx);
const PYTHON = '/usr/bin/python3';

/** `script ENDPOINT BUCKET STEP ARGS-JSON` prints {status, body} of the POST it made. */
const SCRIPT = String.raw`
import base64, collections, datetime, hashlib, hmac, json, sys
import boto3, requests

endpoint, bucket, step, args = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
if step == 'boto3':
    # botocore signs a POST policy with SigV2 in us-east-1 unless told s3v4; AWS KMS needs SigV4.
    config = boto3.session.Config(signature_version='s3v4') if 'keyId' in args else None
    s3 = boto3.client('s3', endpoint_url=endpoint, config=config)
    fields, conditions = {}, [['content-length-range', 1, 100]]
    if 'keyId' in args:
        fields = {'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': args['keyId']}
        conditions += [{'x-amz-server-side-encryption': 'aws:kms'}, {'x-amz-server-side-encryption-aws-kms-key-id': args['keyId']}]
    post = s3.generate_presigned_post(bucket, args['prefix'] + '$' + '{filename}', Fields=fields, Conditions=conditions, ExpiresIn=600)
    r = requests.post(post['url'], data=post['fields'], files={'file': ('from-boto3.txt', b'posted by boto3')})
else:
    # s3-tests: a SigV2 policy, every part sent with files= (so each has a filename).
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=6000)
    policy_document = {'expiration': expires.strftime('%Y-%m-%dT%H:%M:%SZ'), 'conditions': [
        {'bucket': bucket}, ['starts-with', '$key', 'foo'], {'acl': 'private'},
        ['starts-with', '$Content-Type', 'text/plain'], ['content-length-range', 0, 1024]]}
    policy = base64.b64encode(json.JSONEncoder().encode(policy_document).encode('utf-8'))
    signature = base64.b64encode(hmac.new(args['secret'].encode('utf-8'), policy, hashlib.sha1).digest())
    payload = collections.OrderedDict([('key', 'foo.txt'), ('AWSAccessKeyId', args['accessKey']), ('acl', 'private'),
        ('signature', signature), ('policy', policy), ('Content-Type', 'text/plain'), ('file', ('bar'))])
    r = requests.post(endpoint + '/' + bucket, files=payload, verify=False)
print(json.dumps({'status': r.status_code, 'body': r.text}))
`;

async function runStep(step: string, args: Record<string, string>): Promise<{ status: number; body: string }> {
  const out = await runTool(PYTHON, ['-c', SCRIPT, fx.gw.endpoint, fx.bucket, step, JSON.stringify(args)], sandbox.env);
  return JSON.parse(out.stdout) as { status: number; body: string };
}

describe('POST Object from Python', () => {
  it('boto3 generate_presigned_post as it comes (a SigV2 policy in us-east-1), sent by requests', async () => {
    expect(await runStep('boto3', { prefix: 'boto3-v2/' })).toEqual({ status: 204, body: '' });
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'boto3-v2/from-boto3.txt' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('posted by boto3');
    expect(got.ServerSideEncryption).toBe('AES256');
  });

  it('boto3 generate_presigned_post with s3v4 and SSE-KMS fields', async () => {
    const { keyArn } = await createKmsKey(fx.gw);
    expect(await runStep('boto3', { prefix: 'boto3-v4/', keyId: keyArn })).toEqual({ status: 204, body: '' });
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'boto3-v4/from-boto3.txt' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('posted by boto3');
    expect(got).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
  });

  it('a ceph s3-tests SigV2 form whose fields all come as file parts', async () => {
    expect(await runStep('s3-tests', { accessKey: fx.gw.credentials.accessKeyId, secret: fx.gw.credentials.secretAccessKey })).toEqual({ status: 204, body: '' });
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'foo.txt' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('bar');
    expect(got).toMatchObject({ ServerSideEncryption: 'AES256', ContentType: 'text/plain' });
  });
});
