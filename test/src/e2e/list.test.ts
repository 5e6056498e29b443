/**
 * Listing end to end: ListObjectsV2, ListObjects (V1), ListObjectVersions and bucket
 * versioning through @aws-sdk/client-s3, the AWS CLI (botocore, which always sends
 * encoding-type=url) and raw signed requests for the exact XML and errors.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import request from 'supertest';
import {
  CreateBucketCommand, GetBucketVersioningCommand, ListObjectsCommand, ListObjectsV2Command, ListObjectVersionsCommand,
  PutBucketVersioningCommand, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { bucketName, errorOf, useGateway } from '../harness.js';
import { sha256Hex, signHeaders } from '../signing.js';

const fx = useGateway();
const run = promisify(execFile);

/** Odd keys a listing must carry intact: separators, unicode, what XML and URLs cannot hold raw. */
const KEYS = [
  'a/b/c', 'a/b/d', 'a/e', 'a//f', 'a/', 'b+plus', 'c space', 'd&amp<lt>"q\'', 'é/ü', '😀', 'ctrl\u0001', 'tab\there', 'z'.repeat(1024),
];

async function put(s3: S3Client, bucket: string, key: string, body = key, extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}): Promise<string> {
  return (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...extra }))).ETag!;
}

/** S3's query encoding (RFC 3986), so the signed query is the one sent. */
const rfc3986 = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

async function rawGet(path: string, query: Record<string, string>): Promise<{ status: number; text: string }> {
  const headers = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method: 'GET', path, query, headers: {} }, { payloadHash: sha256Hex('') });
  const qs = Object.entries(query).map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join('&');
  const res = await request(fx.gw.endpoint).get(qs ? `${path}?${qs}` : path).set(headers).buffer(true).parse((r, cb) => {
    let text = '';
    r.on('data', (c: Buffer) => (text += c.toString('utf8')));
    r.on('end', () => cb(null, text));
  });
  return { status: res.status, text: res.body as string };
}

let bucket: string;
const etags = new Map<string, string>();

beforeAll(async () => {
  bucket = bucketName('list');
  await fx.gw.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const key of KEYS) etags.set(key, await put(fx.gw.s3, bucket, key));
});

const byBytes = (keys: readonly string[]): string[] => [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
/** A key as a listing without encoding-type=url shows it: what XML 1.0 cannot carry is U+FFFD (see http/xml.ts). */
const asShownInXml = (key: string): string => key.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');

describe('ListObjectsV2', () => {
  it('lists every key in UTF-8 byte order with Size, ETag, LastModified and StorageClass, and no Owner', async () => {
    const out = await fx.gw.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(out.Contents!.map((c) => c.Key)).toEqual(byBytes(KEYS).map(asShownInXml));
    expect(out.KeyCount).toBe(KEYS.length);
    expect(out.IsTruncated).toBe(false);
    for (const c of out.Contents!) {
      const key = KEYS.find((k) => asShownInXml(k) === c.Key)!;
      expect(c.Size).toBe(Buffer.byteLength(key));
      expect(c.ETag).toBe(etags.get(key));
      expect(c.StorageClass).toBe('STANDARD');
      expect(Math.abs(c.LastModified!.getTime() - Date.now())).toBeLessThan(10 * 60_000);
      expect(c.Owner).toBeUndefined();
    }
  });

  it('rolls keys into CommonPrefixes that count toward max-keys, and pages with tokens, each item once', async () => {
    const out = await fx.gw.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'a/', Delimiter: '/' }));
    expect(out.Contents!.map((c) => c.Key)).toEqual(['a/', 'a/e']);
    expect(out.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['a//', 'a/b/']);
    expect(out.KeyCount).toBe(4);
    const seen: string[] = [];
    let token: string | undefined;
    for (let pages = 1; ; pages++) {
      const page = await fx.gw.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'a/', Delimiter: '/', MaxKeys: 1, ContinuationToken: token }));
      expect(page.KeyCount).toBe(1);
      expect(page.ContinuationToken).toBe(token);
      seen.push(...(page.Contents ?? []).map((c) => c.Key!), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
      if (!page.IsTruncated) {
        expect(pages).toBe(4);
        break;
      }
      token = page.NextContinuationToken;
    }
    expect(seen).toEqual(['a/', 'a//', 'a/b/', 'a/e']);
  });

  it('starts after StartAfter, filters prefixes not after it, and shows Owner only with fetch-owner', async () => {
    const out = await fx.gw.s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', StartAfter: 'a/', FetchOwner: true }));
    expect(out.StartAfter).toBe('a/');
    expect(out.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['é/']);
    expect(out.Contents![0].Key).toBe('b+plus');
    expect(out.Contents![0].Owner).toEqual({ ID: expect.stringMatching(/^\d{12}$/), DisplayName: 'admin' });
  });

  it('shows the checksum algorithm of objects stored with one', async () => {
    await put(fx.gw.s3, bucket, 'sum/crc', 'checked', { ChecksumAlgorithm: 'CRC32' });
    const out = await fx.gw.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'sum/' }));
    expect(out.Contents![0]).toMatchObject({ Key: 'sum/crc', Size: 7, ChecksumAlgorithm: ['CRC32'], ChecksumType: 'FULL_OBJECT' });
    const raw = await rawGet(`/${bucket}`, { 'list-type': '2', prefix: 'sum/' });
    expect(raw.text).toMatch(/<ETag>&quot;[0-9a-f]{32}&quot;<\/ETag><ChecksumAlgorithm>CRC32<\/ChecksumAlgorithm><ChecksumType>FULL_OBJECT<\/ChecksumType><Size>7<\/Size><StorageClass>STANDARD<\/StorageClass><\/Contents>/);
  });

  it('writes the document in S3 element order and url-encodes names when asked', async () => {
    const raw = await rawGet(`/${bucket}`, { 'list-type': '2', prefix: 'a/', delimiter: '/', 'max-keys': '1', 'start-after': 'a', 'encoding-type': 'url' });
    expect(raw.status).toBe(200);
    const lastModified = /<LastModified>(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)<\/LastModified>/.exec(raw.text)![1];
    const token = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(raw.text)![1];
    expect(raw.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        `<Name>${bucket}</Name><Prefix>a/</Prefix><StartAfter>a</StartAfter><NextContinuationToken>${token}</NextContinuationToken>` +
        '<KeyCount>1</KeyCount><MaxKeys>1</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>' +
        `<Contents><Key>a/</Key><LastModified>${lastModified}</LastModified><ETag>&quot;${etags.get('a/')!.slice(1, -1)}&quot;</ETag>` +
        '<ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType><Size>2</Size><StorageClass>STANDARD</StorageClass></Contents>' +
        '</ListBucketResult>',
    );
    const odd = await rawGet(`/${bucket}`, { 'list-type': '2', 'encoding-type': 'url', prefix: 'b', delimiter: ' ' });
    expect(odd.text).toContain('<Prefix>b</Prefix>');
    expect(odd.text).toContain('<Delimiter>%20</Delimiter>');
    expect(odd.text).toContain('<Key>b%2Bplus</Key>');
    const plain = await rawGet(`/${bucket}`, { 'list-type': '2', prefix: 'd' });
    expect(plain.text).toContain('<Key>d&amp;amp&lt;lt&gt;&quot;q&apos;</Key>');
  });
});

describe('ListObjects (V1)', () => {
  it('pages with Marker, gives NextMarker only with a delimiter, and Owner on every object', async () => {
    const first = await fx.gw.s3.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 2 }));
    expect(first.Contents!.map((c) => c.Key)).toEqual(byBytes(KEYS).slice(0, 2));
    expect(first.IsTruncated).toBe(true);
    expect(first.NextMarker).toBeUndefined();
    expect(first.Marker).toBe('');
    expect(first.Contents![0].Owner).toEqual({ ID: expect.stringMatching(/^\d{12}$/), DisplayName: 'admin' });
    const rest = await fx.gw.s3.send(new ListObjectsCommand({ Bucket: bucket, Marker: first.Contents![1].Key }));
    expect(rest.Contents!.map((c) => c.Key)).toEqual(byBytes([...KEYS, 'sum/crc']).slice(2).map(asShownInXml));
    const grouped = await fx.gw.s3.send(new ListObjectsCommand({ Bucket: bucket, Delimiter: '/', MaxKeys: 1 }));
    expect(grouped.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['a/']);
    expect(grouped.NextMarker).toBe('a/');
    const next = await fx.gw.s3.send(new ListObjectsCommand({ Bucket: bucket, Delimiter: '/', MaxKeys: 1, Marker: grouped.NextMarker }));
    expect(next.Contents!.map((c) => c.Key)).toEqual(['b+plus']);
  });

  it('writes Marker and the Owner in S3 element order', async () => {
    const raw = await rawGet(`/${bucket}`, { prefix: 'a/e' });
    expect(raw.text).toMatch(
      new RegExp(`^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>a/e</Prefix><Marker></Marker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>` +
        '<Contents><Key>a/e</Key><LastModified>[^<]+</LastModified><ETag>&quot;[0-9a-f]{32}&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType><Size>3</Size><Owner><ID>\\d{12}</ID><DisplayName>admin</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>$'),
    );
  });
});

describe('ListObjectVersions and bucket versioning', () => {
  it('lists each object once as its null version, the latest, with the paging rules', async () => {
    const out = await fx.gw.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'a/' }));
    expect(out.Versions!.map((v) => [v.Key, v.VersionId, v.IsLatest])).toEqual(byBytes(KEYS.filter((k) => k.startsWith('a/'))).map((k) => [k, 'null', true]));
    expect(out.Versions![0]).toMatchObject({ Size: 2, StorageClass: 'STANDARD', ETag: etags.get('a/'), Owner: { DisplayName: 'admin' } });
    const page = await fx.gw.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'a/', MaxKeys: 2 }));
    expect(page).toMatchObject({ IsTruncated: true, NextKeyMarker: 'a//f', NextVersionIdMarker: 'null' });
    const after = await fx.gw.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'a/', KeyMarker: page.NextKeyMarker, VersionIdMarker: 'null' }));
    expect(after.Versions!.map((v) => v.Key)).toEqual(['a/b/c', 'a/b/d', 'a/e']);
    const grouped = await fx.gw.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'a/', Delimiter: '/', MaxKeys: 2 }));
    expect(grouped.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['a//']);
    expect(grouped).toMatchObject({ NextKeyMarker: 'a//' });
    expect(grouped.NextVersionIdMarker).toBeUndefined();
    const raw = await rawGet(`/${bucket}`, { versions: '', prefix: 'a/e' });
    expect(raw.text).toMatch(
      new RegExp(`<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>a/e</Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>` +
        '<Version><Key>a/e</Key><VersionId>null</VersionId><IsLatest>true</IsLatest><LastModified>[^<]+</LastModified><ETag>&quot;[0-9a-f]{32}&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType><Size>3</Size><StorageClass>STANDARD</StorageClass><Owner><ID>\\d{12}</ID><DisplayName>admin</DisplayName></Owner></Version></ListVersionsResult>$'),
    );
  });

  it('answers an empty versioning configuration and refuses to enable versioning', async () => {
    const got = await fx.gw.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    expect(got.Status).toBeUndefined();
    const raw = await rawGet(`/${bucket}`, { versioning: '' });
    expect(raw.text).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></VersioningConfiguration>');
    const refused = await errorOf(fx.gw.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } })));
    expect(refused).toMatchObject({ name: 'NotImplemented', status: 501 });
    expect((await fx.gw.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBeUndefined();
  });
});

describe('listing errors, as S3 answers them', () => {
  const argumentError = (message: string, name: string, value?: string): RegExp =>
    new RegExp(`<Code>InvalidArgument</Code><Message>${message}</Message><ArgumentName>${name}</ArgumentName>${value === undefined ? '' : `<ArgumentValue>${value}</ArgumentValue>`}<RequestId>`);

  it('404 NoSuchBucket for a missing bucket on every listing, before any argument error', async () => {
    const queries: Record<string, string>[] = [{}, { 'list-type': '2' }, { versions: '' }, { versioning: '' }, { 'list-type': '2', 'max-keys': 'x' }];
    for (const query of queries) {
      const res = await rawGet('/no-such-bucket-here', query);
      expect([query, res.status]).toEqual([query, 404]);
      expect(res.text).toContain('<Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>no-such-bucket-here</BucketName>');
    }
    expect(await errorOf(fx.gw.s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket-here' })))).toMatchObject({ name: 'NoSuchBucket', status: 404 });
  });

  it('refuses bad max-keys, encoding types, continuation tokens and version-id markers', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'list-type': '2', 'max-keys': 'abc' }, argumentError('Provided max-keys not an integer or within integer range', 'max-keys', 'abc')],
      [{ 'max-keys': '1.5' }, argumentError('Provided max-keys not an integer or within integer range', 'max-keys', '1.5')],
      [{ versions: '', 'max-keys': '-1' }, argumentError('max-keys cannot be negative', 'max-keys')],
      [{ 'max-keys': '99999999999' }, argumentError('Provided max-keys not an integer or within integer range', 'max-keys', '99999999999')],
      [{ 'list-type': '2', 'encoding-type': 'xml' }, argumentError('Invalid Encoding Method specified in Request', 'encoding-type', 'xml')],
      [{ versions: '', 'encoding-type': '' }, argumentError('Invalid Encoding Method specified in Request', 'encoding-type', '')],
      [{ 'list-type': '2', 'continuation-token': 'bm90IGEgdG9rZW4=' }, /<Code>InvalidArgument<\/Code><Message>The continuation token provided is incorrect<\/Message><ArgumentName>continuation-token<\/ArgumentName>/],
      [{ versions: '', 'version-id-marker': 'v' }, argumentError('A version-id marker cannot be specified without a key marker.', 'version-id-marker', 'v')],
      [{ versions: '', 'key-marker': 'k', 'version-id-marker': '' }, argumentError('A version-id marker cannot be empty.', 'version-id-marker', '')],
      [{ versions: '', 'key-marker': 'k', 'version-id-marker': 'abc' }, argumentError('Invalid version id specified', 'version-id-marker', 'abc')],
      [{ versions: '', 'max-keys': 'abc', 'version-id-marker': 'v' }, argumentError('Provided max-keys not an integer or within integer range', 'max-keys', 'abc')],
    ];
    for (const [query, expected] of cases) {
      const res = await rawGet(`/${bucket}`, query);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.text.replace(/<ArgumentValue><\/ArgumentValue>/, '<ArgumentValue></ArgumentValue>')).toMatch(expected);
    }
  });

  it('answers max-keys=0 with an empty page, and clamps larger values to 1000', async () => {
    const none = await fx.gw.s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 0 }));
    expect(none).toMatchObject({ KeyCount: 0, MaxKeys: 0, IsTruncated: false });
    expect(none.Contents).toBeUndefined();
    const many = await fx.gw.s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 5000 }));
    expect(many.MaxKeys).toBe(1000);
  });
});

describe('AWS CLI (botocore sends encoding-type=url and decodes)', () => {
  const aws = (...args: string[]): Promise<{ stdout: string }> =>
    run('/usr/bin/aws', ['--endpoint-url', fx.gw.endpoint, ...args], { env: fx.gw.env, maxBuffer: 16 * 1024 * 1024 });

  beforeAll(async () => {
    await writeFile(fx.gw.env.AWS_CONFIG_FILE!, '[default]\ns3 =\n  addressing_style = path\n');
  });

  it('gets every odd key back exactly from list-objects-v2, list-objects and list-object-versions', async () => {
    const expected = byBytes([...KEYS, 'sum/crc']);
    for (const [command, field] of [['list-objects-v2', 'Contents'], ['list-objects', 'Contents'], ['list-object-versions', 'Versions']] as const) {
      const { stdout } = await aws('s3api', command, '--bucket', bucket, '--page-size', '3');
      const listed = (JSON.parse(stdout) as Record<string, { Key: string }[]>)[field].map((c) => c.Key);
      expect([command, listed]).toEqual([command, expected]);
    }
  });

  it('empties a bucket with `aws s3 rm --recursive`, which pages through ListObjectsV2', async () => {
    const scratch = bucketName('list-rm');
    await fx.gw.s3.send(new CreateBucketCommand({ Bucket: scratch }));
    await Promise.all(Array.from({ length: 30 }, (_, i) => put(fx.gw.s3, scratch, `d${i % 3}/k ${i}+`)));
    const { stdout } = await aws('s3', 'ls', `s3://${scratch}/d1/`);
    expect(stdout.trim().split('\n')).toHaveLength(10);
    await aws('s3', 'rm', '--recursive', `s3://${scratch}`, '--page-size', '7');
    expect((await fx.gw.s3.send(new ListObjectsV2Command({ Bucket: scratch }))).KeyCount).toBe(0);
    await aws('s3api', 'delete-bucket', '--bucket', scratch);
  });
});
