/**
 * DeleteObjects and XML request bodies end to end: the JS SDK with default settings (which
 * sends x-amz-checksum-crc32, not Content-MD5), Debian's boto3 (which sends Content-MD5),
 * and raw requests through supertest for what no SDK sends: hostile XML, missing or wrong
 * checksums, oversized bodies.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { crc32 } from 'node:zlib';
import { promisify } from 'node:util';
import request from 'supertest';
import { DeleteObjectsCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { bucketName, errorOf, useGatewayWithBucket } from '../harness.js';
import { sha256Hex, signHeaders } from '../signing.js';
import { readXml, s3ErrorOf } from '../xml.js';

const fx = useGatewayWithBucket('del');
const run = promisify(execFile);
const MALFORMED = 'The XML you provided was not well-formed or did not validate against our published schema';

async function put(...keys: string[]): Promise<void> {
  for (const key of keys) await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: key, Body: `body of ${key}` }));
}

async function exists(key: string): Promise<boolean> {
  try {
    await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

function deleteXml(keys: string[]): string {
  const objects = keys.map((k) => `<Object><Key>${k}</Key></Object>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${objects}</Delete>`;
}

const md5Of = (body: string | Buffer): string => createHash('md5').update(body).digest('base64');
const crc32Of = (body: string | Buffer): string => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(body));
  return out.toString('base64');
};

/** POST ?delete (or another bucket request) signed over `body`, with the given extra headers. */
async function rawBucketPost(body: string | Buffer, headers: Record<string, string>, opts: { bucket?: string; method?: string; query?: Record<string, string> } = {}): Promise<request.Response> {
  const path = `/${opts.bucket ?? fx.bucket}`;
  const method = opts.method ?? 'POST';
  const query = opts.query ?? { delete: '' };
  const length = String(Buffer.byteLength(body));
  const signed = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method, path, query, headers: { 'content-length': length, ...headers } }, { payloadHash: sha256Hex(body) });
  const search = Object.entries(query).map(([k, v]) => (v === '' ? k : `${k}=${encodeURIComponent(v)}`)).join('&');
  const target = search === '' ? path : `${path}?${search}`;
  const agent = request(fx.gw.endpoint);
  return (method === 'PUT' ? agent.put(target) : agent.post(target)).set(signed).send(body);
}

describe('DeleteObjects with the JS SDK, default settings', () => {
  it('deletes existing keys, reports missing ones as deleted, in request order, and sends CRC32', async () => {
    await put('sdk/a', 'sdk/b', 'sdk/c');
    const sent: Record<string, string>[] = [];
    const client = new S3Client({ endpoint: fx.gw.endpoint, region: fx.gw.region, credentials: fx.gw.credentials, forcePathStyle: true });
    client.middlewareStack.add((next) => async (args) => {
      sent.push({ ...(args.request as { headers: Record<string, string> }).headers });
      return next(args);
    }, { step: 'finalizeRequest' });
    try {
      const out = await client.send(new DeleteObjectsCommand({ Bucket: fx.bucket, Delete: { Objects: ['sdk/a', 'sdk/missing', 'sdk/b', 'sdk/c'].map((Key) => ({ Key })) } }));
      expect(out.Deleted?.map((d) => d.Key)).toEqual(['sdk/a', 'sdk/missing', 'sdk/b', 'sdk/c']);
      expect(out.Errors).toBeUndefined();
    } finally {
      client.destroy();
    }
    expect(sent[0]!['x-amz-checksum-crc32']).toBeDefined();
    expect(sent[0]!['content-md5']).toBeUndefined();
    for (const key of ['sdk/a', 'sdk/b', 'sdk/c']) expect(await exists(key)).toBe(false);
  });

  it('Quiet lists nothing when every key is deleted', async () => {
    await put('quiet/a', 'quiet/b');
    const out = await fx.gw.s3.send(new DeleteObjectsCommand({ Bucket: fx.bucket, Delete: { Quiet: true, Objects: [{ Key: 'quiet/a' }, { Key: 'quiet/b' }] } }));
    expect(out.Deleted).toBeUndefined();
    expect(out.Errors).toBeUndefined();
    expect(await exists('quiet/a')).toBe(false);
    expect(await exists('quiet/b')).toBe(false);
  });

  it('per-key errors for a version that does not exist, an over-long key and an empty key; the rest are deleted', async () => {
    await put('perkey/ok', 'perkey/versioned', 'perkey/null');
    const long = 'k'.repeat(1025);
    const out = await fx.gw.s3.send(new DeleteObjectsCommand({
      Bucket: fx.bucket,
      Delete: {
        Quiet: true,
        Objects: [{ Key: 'perkey/versioned', VersionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY' }, { Key: long }, { Key: '' }, { Key: 'perkey/ok' }, { Key: 'perkey/null', VersionId: 'null' }],
      },
    }));
    expect(out.Deleted).toBeUndefined();
    expect(out.Errors).toEqual([
      { Key: 'perkey/versioned', VersionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY', Code: 'NoSuchVersion', Message: 'The specified version does not exist.' },
      { Key: long, Code: 'KeyTooLongError', Message: 'Your key is too long' },
      { Key: '', Code: 'UserKeyMustBeSpecified', Message: expect.any(String) },
    ]);
    expect(await exists('perkey/versioned')).toBe(true);
    expect(await exists('perkey/ok')).toBe(false);
    expect(await exists('perkey/null')).toBe(false);
  });

  it('echoes VersionId null for the null version', async () => {
    await put('nullver');
    const out = await fx.gw.s3.send(new DeleteObjectsCommand({ Bucket: fx.bucket, Delete: { Objects: [{ Key: 'nullver', VersionId: 'null' }] } }));
    expect(out.Deleted).toEqual([{ Key: 'nullver', VersionId: 'null' }]);
  });

  it('takes 1000 keys, and answers 1001 with MalformedXML without deleting any', async () => {
    const keys = Array.from({ length: 1001 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    await put(keys[0]!, keys[999]!, keys[1000]!);
    const tooMany = await errorOf(fx.gw.s3.send(new DeleteObjectsCommand({ Bucket: fx.bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } })));
    expect(tooMany).toMatchObject({ name: 'MalformedXML', status: 400, message: MALFORMED });
    expect(await exists(keys[0]!)).toBe(true);
    const out = await fx.gw.s3.send(new DeleteObjectsCommand({ Bucket: fx.bucket, Delete: { Objects: keys.slice(0, 1000).map((Key) => ({ Key })) } }));
    expect(out.Deleted).toHaveLength(1000);
    expect(await exists(keys[0]!)).toBe(false);
    expect(await exists(keys[999]!)).toBe(false);
    expect(await exists(keys[1000]!)).toBe(true);
  });

  it('NoSuchBucket for a bucket that does not exist', async () => {
    const err = await errorOf(fx.gw.s3.send(new DeleteObjectsCommand({ Bucket: bucketName('none'), Delete: { Objects: [{ Key: 'k' }] } })));
    expect(err).toMatchObject({ name: 'NoSuchBucket', status: 404 });
  });
});

describe('DeleteObjects on the wire', () => {
  it('writes Deleted and Error entries with their elements in S3 order', async () => {
    await put('order/a');
    const body = '<Delete><Object><Key>order/a</Key></Object><Object><Key>order/b</Key><VersionId>v1</VersionId></Object></Delete>';
    const res = await rawBucketPost(body, { 'content-md5': md5Of(body) });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    const doc = readXml(res.text);
    expect(doc.name).toBe('DeleteResult');
    const shape = doc.children.map((c) => [c.name, c.children.map((g) => `${g.name}=${g.text}`)]);
    expect(shape).toEqual([
      ['Deleted', ['Key=order/a']],
      ['Error', ['Key=order/b', 'VersionId=v1', 'Code=NoSuchVersion', 'Message=The specified version does not exist.']],
    ]);
  });

  it('InvalidRequest without Content-MD5 or a checksum, and nothing is deleted', async () => {
    await put('nochecksum');
    const res = await rawBucketPost(deleteXml(['nochecksum']), {});
    expect(res.status).toBe(400);
    expect(s3ErrorOf(res.text)).toEqual({ code: 'InvalidRequest', message: 'Missing required header for this request: Content-MD5 OR x-amz-checksum-*' });
    expect(await exists('nochecksum')).toBe(true);
  });

  it('verifies Content-MD5 and x-amz-checksum-crc32 over the body before deleting anything', async () => {
    await put('digest');
    const body = deleteXml(['digest']);
    const wrongMd5 = await rawBucketPost(body, { 'content-md5': md5Of('other') });
    expect(wrongMd5.status).toBe(400);
    expect(s3ErrorOf(wrongMd5.text).code).toBe('BadDigest');
    const wrongCrc = await rawBucketPost(body, { 'x-amz-checksum-crc32': crc32Of('other'), 'x-amz-sdk-checksum-algorithm': 'CRC32' });
    expect(wrongCrc.status).toBe(400);
    expect(s3ErrorOf(wrongCrc.text)).toEqual({ code: 'BadDigest', message: 'The CRC32 you specified did not match the calculated checksum.' });
    expect(await exists('digest')).toBe(true);
    const right = await rawBucketPost(body, { 'x-amz-checksum-crc32': crc32Of(body) });
    expect(right.status).toBe(200);
    expect(await exists('digest')).toBe(false);
  });

  it('answers billion-laughs and XXE bodies with MalformedXML and deletes nothing', async () => {
    await put('lol', 'xxe');
    const entities = ['<!ENTITY a0 "lol">'];
    for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`);
    const laughs = `<?xml version="1.0"?><!DOCTYPE Delete [${entities.join('')}]><Delete><Object><Key>lol</Key></Object><Object><Key>&a9;</Key></Object></Delete>`;
    const xxe = '<?xml version="1.0"?><!DOCTYPE Delete [<!ENTITY x SYSTEM "file:///etc/hostname">]><Delete><Object><Key>xxe</Key></Object><Object><Key>&x;</Key></Object></Delete>';
    for (const body of [laughs, xxe]) {
      const res = await rawBucketPost(body, { 'content-md5': md5Of(body) });
      expect(res.status).toBe(400);
      expect(s3ErrorOf(res.text)).toEqual({ code: 'MalformedXML', message: MALFORMED });
    }
    expect(await exists('lol')).toBe(true);
    expect(await exists('xxe')).toBe(true);
  });

  it('MalformedXML for a body that is not a Delete document, or lists no object', async () => {
    for (const body of ['', '<Delete></Delete>', '<Remove><Object><Key>k</Key></Object></Remove>', '<Delete><Object><Key>k</Key></Object>']) {
      const res = await rawBucketPost(body, { 'content-md5': md5Of(body) });
      expect(res.status).toBe(400);
      expect(s3ErrorOf(res.text).code).toBe('MalformedXML');
    }
  });

  it('refuses a body over the cap from its declared length, before reading it', async () => {
    // Only the request head is sent: the answer must come without the 8 MiB body.
    const path = `/${fx.bucket}`;
    const signed = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method: 'POST', path, query: { delete: '' }, headers: { 'content-length': String(8 * 1024 * 1024 + 1), 'content-md5': md5Of('x') } }, { payloadHash: 'UNSIGNED-PAYLOAD' });
    const url = new URL(fx.gw.endpoint);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname);
      const chunks: Buffer[] = [];
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('error', reject);
      const head = Object.entries(signed).map(([k, v]) => `${k}: ${v}`).join('\r\n');
      socket.write(`POST ${path}?delete HTTP/1.1\r\n${head}\r\n\r\n`);
    });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(s3ErrorOf(answer.slice(answer.indexOf('<?xml'))).code).toBe('EntityTooLarge');
  });
});

describe('CreateBucket configuration through the same parser', () => {
  it('MalformedXML for unknown elements, DOCTYPEs and broken XML, and no bucket is made', async () => {
    const bodies = [
      '<CreateBucketConfiguration><Colour>red</Colour></CreateBucketConfiguration>',
      '<!DOCTYPE c [<!ENTITY r "us-east-1">]><CreateBucketConfiguration><LocationConstraint>&r;</LocationConstraint></CreateBucketConfiguration>',
      '<CreateBucketConfiguration><LocationConstraint>eu-west-1</CreateBucketConfiguration>',
      '<Configuration><LocationConstraint>eu-west-1</LocationConstraint></Configuration>',
    ];
    for (const body of bodies) {
      const name = bucketName('cfg');
      const res = await rawBucketPost(body, {}, { bucket: name, method: 'PUT', query: {} });
      expect(res.status).toBe(400);
      expect(s3ErrorOf(res.text)).toEqual({ code: 'MalformedXML', message: MALFORMED });
      expect(await errorOf(fx.gw.s3.send(new HeadBucketCommand({ Bucket: name })))).toMatchObject({ status: 404 });
    }
  });

  it('reads the constraint as XML text, character references included', async () => {
    const body = '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu&#45;west-1</LocationConstraint></CreateBucketConfiguration>';
    const res = await rawBucketPost(body, {}, { bucket: bucketName('cfg'), method: 'PUT', query: {} });
    expect(res.status).toBe(400);
    expect(s3ErrorOf(res.text)).toEqual({ code: 'IllegalLocationConstraintException', message: 'The eu-west-1 location constraint is incompatible for the region specific endpoint this request was sent to.' });
  });
});

describe('DeleteObjects with boto3', () => {
  it('delete_objects removes the keys and reports a missing one as deleted', async () => {
    await put('boto/a', 'boto/b');
    const script = [
      'import boto3, json, os, sys',
      'from botocore.config import Config',
      "s3 = boto3.client('s3', endpoint_url=os.environ['ENDPOINT'], region_name=os.environ['AWS_DEFAULT_REGION'], config=Config(s3={'addressing_style': 'path'}))",
      "out = s3.delete_objects(Bucket=os.environ['BUCKET'], Delete={'Objects': [{'Key': 'boto/a'}, {'Key': 'boto/missing'}, {'Key': 'boto/b'}]})",
      "print(json.dumps({'Deleted': [d['Key'] for d in out.get('Deleted', [])], 'Errors': out.get('Errors', [])}))",
    ].join('\n');
    const { stdout } = await run('/usr/bin/python3', ['-c', script], { env: { ...fx.gw.env, ENDPOINT: fx.gw.endpoint, BUCKET: fx.bucket } });
    expect(JSON.parse(stdout)).toEqual({ Deleted: ['boto/a', 'boto/missing', 'boto/b'], Errors: [] });
    expect(await exists('boto/a')).toBe(false);
    expect(await exists('boto/b')).toBe(false);
  });
});
