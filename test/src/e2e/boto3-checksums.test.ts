/**
 * Debian's boto3 against stored checksums and preconditions: botocore validates the
 * checksum a ChecksumMode GET returns against the body it reads, reports HEAD's 304/412 by
 * status, and parses GetObjectAttributes.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { useGatewayWithBucket } from '../harness.js';

const run = promisify(execFile);
const fx = useGatewayWithBucket('boto-cks');

describe('boto3', () => {
  it('ChecksumMode returns the stored SHA256 (validated by botocore), never on a range; HEAD preconditions', async () => {
    const script = [
      'import boto3, json, os',
      'from botocore.config import Config',
      'from botocore.exceptions import ClientError',
      "s3 = boto3.client('s3', endpoint_url=os.environ['ENDPOINT'], region_name=os.environ['AWS_DEFAULT_REGION'], config=Config(s3={'addressing_style': 'path'}))",
      "b = os.environ['BUCKET']",
      "body = bytes(range(256)) * 400",
      "put = s3.put_object(Bucket=b, Key='k', Body=body, ChecksumAlgorithm='SHA256', StorageClass='STANDARD_IA')",
      "got = s3.get_object(Bucket=b, Key='k', ChecksumMode='ENABLED')",
      "data = got['Body'].read()",
      "ranged = s3.get_object(Bucket=b, Key='k', ChecksumMode='ENABLED', Range='bytes=0-9')",
      "def code(**kw):",
      "    try:",
      "        s3.head_object(Bucket=b, Key='k', **kw)",
      "        return '200'",
      "    except ClientError as e:",
      "        return e.response['Error']['Code']",
      "attrs = s3.get_object_attributes(Bucket=b, Key='k', ObjectAttributes=['Checksum', 'ObjectSize', 'StorageClass'])",
      "print(json.dumps({",
      "  'same': data == body, 'put': put.get('ChecksumSHA256'), 'got': got.get('ChecksumSHA256'),",
      "  'ranged': sorted(k for k in ranged if k.startswith('Checksum')), 'rangedBody': len(ranged['Body'].read()),",
      "  'match': code(IfMatch=put['ETag']), 'noneMatch': code(IfNoneMatch=put['ETag']), 'failed': code(IfMatch='\"0\"'),",
      "  'attrs': {'sha': attrs['Checksum'].get('ChecksumSHA256'), 'size': attrs['ObjectSize'], 'class': attrs['StorageClass']},",
      "}))",
    ].join('\n');
    const { stdout } = await run('/usr/bin/python3', ['-c', script], { env: { ...fx.gw.env, ENDPOINT: fx.gw.endpoint, BUCKET: fx.bucket } });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out.put).toEqual(expect.any(String));
    expect(out).toEqual({
      same: true, put: out.put, got: out.put, ranged: [], rangedBody: 10,
      match: '200', noneMatch: '304', failed: '412',
      attrs: { sha: out.put, size: 102400, class: 'STANDARD_IA' },
    });
  });
});
