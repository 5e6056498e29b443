/**
 * Debian's boto3 doing its everyday S3 work with SSE-KMS against a real gateway: put, get,
 * a paginator over a prefix, copy under another key, delete_objects; the data directory
 * never holds what was uploaded.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { bodyBytes, createKmsKey, errorOf, useGatewayWithBucket } from '../harness.js';
import { filesHoldingPlaintext, findObjectFiles } from '../disk.js';
import { expectSseKms, runTool, useToolSandbox, writeRandomTree, type Tree } from '../tools.js';

const fx = useGatewayWithBucket('boto3');
const sandbox = useToolSandbox(fx);

// Debian's interpreter, which has Debian's boto3, whatever python3 comes first on PATH.
const PYTHON = '/usr/bin/python3';

/** One step per call: `script.py ENDPOINT BUCKET STEP ARGS-JSON` prints its result as JSON. */
const SCRIPT = String.raw`
import json, sys
import boto3

endpoint, bucket, step, args = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
s3 = boto3.client('s3', endpoint_url=endpoint)

def read(path):
    with open(path, 'rb') as f:
        return f.read()

def sse(response):
    return {'sse': response.get('ServerSideEncryption'), 'keyId': response.get('SSEKMSKeyId')}

out = {}
if step == 'put':
    for key, path in args['files'].items():
        out[key] = sse(s3.put_object(Bucket=bucket, Key=key, Body=read(path), ServerSideEncryption='aws:kms', SSEKMSKeyId=args['keyId']))
elif step == 'transfer':
    # The managed transfer (s3transfer) most scripts use rather than put_object.
    extra = {'ServerSideEncryption': 'aws:kms', 'SSEKMSKeyId': args['keyId']}
    s3.upload_file(args['path'], bucket, args['key'], ExtraArgs=extra)
    s3.download_file(bucket, args['key'], args['path'] + '.down')
    out = {'same': read(args['path'] + '.down') == read(args['path'])}
elif step == 'get':
    for key, path in args['files'].items():
        got = s3.get_object(Bucket=bucket, Key=key)
        out[key] = dict(sse(got), same=got['Body'].read() == read(path))
elif step == 'list':
    pages = s3.get_paginator('list_objects_v2').paginate(Bucket=bucket, Prefix=args['prefix'], PaginationConfig={'PageSize': 2})
    out = [[[o['Key'], o['Size']] for o in page.get('Contents', [])] for page in pages]
elif step == 'copy':
    for source, target in args['pairs']:
        copied = s3.copy_object(Bucket=bucket, Key=target, CopySource={'Bucket': bucket, 'Key': source}, ServerSideEncryption='aws:kms', SSEKMSKeyId=args['keyId'])
        out[target] = sse(copied)
elif step == 'delete':
    deleted = s3.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': k} for k in args['keys']]})
    out = {'deleted': sorted(d['Key'] for d in deleted.get('Deleted', [])), 'errors': deleted.get('Errors', [])}
print(json.dumps(out))
`;

const DOCS = ['docs/one.bin', 'docs/two.bin', 'docs/sub/three.bin', 'docs/sub/four five.bin', 'docs/ünïcode+plus.bin'];
const KEYS = [...DOCS, 'other/six.bin', 'other/transferred.bin'];

let keyA: { keyId: string; keyArn: string };
let keyB: { keyId: string; keyArn: string };
let tree: Tree;
let files: Record<string, string>;

async function boto3<T>(step: string, args: Record<string, unknown>): Promise<T> {
  const script = join(sandbox.dir, 'steps.py');
  const { stdout } = await runTool(PYTHON, [script, fx.gw.endpoint, fx.bucket, step, JSON.stringify(args)], sandbox.env, sandbox.dir);
  return JSON.parse(stdout) as T;
}

beforeAll(async () => {
  keyA = await createKmsKey(fx.gw);
  keyB = await createKmsKey(fx.gw);
  await writeFile(join(sandbox.dir, 'steps.py'), SCRIPT);
  tree = await writeRandomTree(join(sandbox.dir, 'files'), KEYS);
  files = Object.fromEntries(KEYS.map((key) => [key, join(sandbox.dir, 'files', key)]));
});

type SseOut = Record<string, { sse?: string; keyId?: string; same?: boolean }>;

describe('boto3 with SSE-KMS', () => {
  it("puts objects with ServerSideEncryption='aws:kms', also through upload_file, and gets them back", async () => {
    const { 'other/transferred.bin': transferred, ...putFiles } = files;
    const put = await boto3<SseOut>('put', { files: putFiles, keyId: keyA.keyId });
    expect(await boto3('transfer', { path: transferred, key: 'other/transferred.bin', keyId: keyA.keyId })).toEqual({ same: true });
    for (const key of Object.keys(putFiles)) expect({ key, ...put[key] }).toEqual({ key, sse: 'aws:kms', keyId: keyA.keyArn });
    await expectSseKms(fx.gw, fx.bucket, KEYS, keyA.keyArn);
    const got = await boto3<SseOut>('get', { files });
    for (const key of KEYS) expect({ key, ...got[key] }).toEqual({ key, sse: 'aws:kms', keyId: keyA.keyArn, same: true });
  });

  it('pages through a prefix with the list_objects_v2 paginator', async () => {
    const pages = await boto3<[string, number][][]>('list', { prefix: 'docs/' });
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat().sort()).toEqual(DOCS.map((key) => [key, tree.get(key)!.length]).sort());
  });

  it('copies objects under another KMS key', async () => {
    const pairs = [['docs/one.bin', 'copies/one.bin'], ['docs/ünïcode+plus.bin', 'copies/ünïcode+plus.bin']];
    const copied = await boto3<SseOut>('copy', { pairs, keyId: keyB.keyId });
    for (const [source, target] of pairs) {
      expect({ target, ...copied[target!] }).toEqual({ target, sse: 'aws:kms', keyId: keyB.keyArn });
      await expectSseKms(fx.gw, fx.bucket, [target!], keyB.keyArn);
      const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: target }));
      expect((await bodyBytes(got.Body)).equals(tree.get(source!)!)).toBe(true);
    }
  });

  it('leaves no plaintext of the uploads in the data directory, which does hold the objects', async () => {
    await findObjectFiles(fx.gw.dataDir, fx.bucket, 'docs/sub/three.bin');
    expect(await filesHoldingPlaintext(fx.gw.dataDir, tree.values())).toEqual([]);
  });

  it('deletes a prefix with delete_objects, leaving the rest', async () => {
    const result = await boto3<{ deleted: string[]; errors: unknown[] }>('delete', { keys: DOCS });
    expect(result).toEqual({ deleted: [...DOCS].sort(), errors: [] });
    for (const key of DOCS) expect((await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: key })))).status).toBe(404);
    await expectSseKms(fx.gw, fx.bucket, ['other/six.bin', 'other/transferred.bin'], keyA.keyArn);
    expect(await boto3<unknown[][]>('list', { prefix: 'docs/' })).toEqual([[]]);
    expect(await filesHoldingPlaintext(fx.gw.dataDir, tree.values())).toEqual([]);
  });
});
