import { describe, expect, it } from '@jest/globals';
import { createHmac, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { canonicalJson, type CanonicalJsonValue } from './canonical-json.js';
import { canonicalEncryptionContext } from './context.js';
import { sha256 } from './format/gwse.js';
import { IntegrityError } from './errors.js';
import { parseMetadata, sealMetadata, verifyMetadataMac } from './metadata.js';
import type { UnsealedObjectMetadata } from './metadata.js';
import { TEST_DEK } from './testing/streams.js';

const record: UnsealedObjectMetadata = {
  metaVersion: 2,
  sse: 'aws:kms',
  kmsKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/1b4f3a9e-0000-4000-8000-000000000001',
  wrappedDek: Buffer.from('a wrapped data key blob').toString('base64'),
  encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::bkt/key', team: 'x' },
  bucketKeyEnabled: false,
  algorithm: 'GWSE1-AES256GCM-HKDFSHA256-C',
  segmentSize: 65536,
  plaintextSize: 200_000,
  ciphertextSize: 200_160,
  headerSha256: 'ab'.repeat(32),
  etag: '0123456789abcdef0123456789abcdef',
  checksums: { CRC64NVME: 'AAAAAAAAAAA=' },
  contentType: 'text/plain',
  userMetadata: { colour: 'blue' },
  lastModified: '2024-05-01T12:00:00.000Z',
  storageClass: 'STANDARD_IA',
  systemHeaders: {
    'cache-control': 'max-age=60',
    'content-disposition': 'attachment; filename="caf\u00e9.txt"',
    'content-encoding': 'gzip',
    'content-language': 'de-CH',
    expires: 'Wed, 21 Oct 2026 07:28:00 GMT',
    'x-amz-website-redirect-location': '/elsewhere',
  },
};

// The MAC of `record` (v2) under TEST_DEK (00..1f), computed once by an independent
// implementation (Python `hmac`/`hashlib` HKDF per RFC 5869, `json.dumps(sort_keys=True,
// ensure_ascii=False)`) from the spec in metadata.ts. If it fails, stored records stop
// verifying: bump metaVersion, keep the vector.
const KAT_META_MAC = '901d947cdd052622a4c6b5f0e390afc609f677cbfd10c25a3430f9f10ee72da6';

// A v1 record exactly as the v1 writer sealed it (its MAC is the v1 known answer, 2fc7fd5f…).
const V1_FIXTURE = readFileSync(new URL('./testdata/metadata-v1.fixture.json', import.meta.url));

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IntegrityError);
    return (err as IntegrityError).reason;
  }
  throw new Error('expected an IntegrityError');
}

/** Re-encodes a sealed record after `edit`, as someone editing the stored JSON would. */
function editStored(sealed: Buffer, edit: (r: Record<string, unknown>) => void): Buffer {
  const r = JSON.parse(sealed.toString('utf8')) as Record<string, unknown>;
  edit(r);
  return Buffer.from(JSON.stringify(r));
}

describe('object metadata MAC known-answer vector', () => {
  it('seals the pinned record to the pinned MAC, which verifies under that DEK only', () => {
    expect(parseMetadata(sealMetadata(record, TEST_DEK)).metaMac).toBe(KAT_META_MAC);
    const stored = { ...record, metaMac: KAT_META_MAC };
    expect(() => verifyMetadataMac(stored, TEST_DEK)).not.toThrow();
    expect(reason(() => verifyMetadataMac(stored, Buffer.alloc(32, 0x01)))).toBe('metadata MAC mismatch');
  });
});

describe('object metadata v1 records', () => {
  it('still parse, as STANDARD with no system headers, and verify under their v1 MAC', () => {
    const parsed = parseMetadata(V1_FIXTURE);
    expect(parsed.metaVersion).toBe(1);
    expect(parsed.metaMac).toBe('2fc7fd5ffd9654fc126af6ae2f9b63244adb057d5e09f8eb19b13f5b5126bd73');
    expect(parsed.storageClass).toBe('STANDARD');
    expect(parsed.systemHeaders).toEqual({});
    expect(parsed.checksums).toEqual({ CRC32: 'AAAAAA==' });
    expect(() => verifyMetadataMac(parsed, TEST_DEK)).not.toThrow();
  });

  it('still fail the MAC when edited, and refuse v2 fields', () => {
    const edited = parseMetadata(editStored(V1_FIXTURE, (r) => { r.contentType = 'text/html'; }));
    expect(reason(() => verifyMetadataMac(edited, TEST_DEK))).toBe('metadata MAC mismatch');
    expect(reason(() => parseMetadata(editStored(V1_FIXTURE, (r) => { r.storageClass = 'GLACIER'; })))).toMatch(/missing or extra/);
  });

  it('cannot be relabelled v2 (or a v2 record v1): metaVersion is MACed', () => {
    const asV2 = editStored(V1_FIXTURE, (r) => { r.metaVersion = 2; r.storageClass = 'STANDARD'; r.systemHeaders = {}; });
    expect(reason(() => verifyMetadataMac(parseMetadata(asV2), TEST_DEK))).toBe('metadata MAC mismatch');
    const asV1 = editStored(sealMetadata(record, TEST_DEK), (r) => { r.metaVersion = 1; delete r.storageClass; delete r.systemHeaders; });
    expect(reason(() => verifyMetadataMac(parseMetadata(asV1), TEST_DEK))).toBe('metadata MAC mismatch');
  });

  it('are never written', () => {
    const v1 = { ...record, metaVersion: 1 } as unknown as UnsealedObjectMetadata;
    expect(reason(() => sealMetadata(v1, TEST_DEK))).toMatch(/metaVersion/);
  });
});

describe('object metadata', () => {
  it('seals to canonical JSON, parses back and verifies', () => {
    const sealed = sealMetadata(record, TEST_DEK);
    const text = sealed.toString('utf8');
    expect(text.startsWith('{"algorithm":"GWSE1-AES256GCM-HKDFSHA256-C","bucketKeyEnabled":false,"checksums":{"CRC64NVME":"AAAAAAAAAAA="}')).toBe(true);
    expect(text).not.toMatch(/[\n\r\t]|":\s|,\s"/); // no whitespace between tokens
    const parsed = parseMetadata(sealed);
    expect(parsed).toEqual({ ...record, metaMac: parsed.metaMac });
    expect(parsed.metaMac).toMatch(/^[0-9a-f]{64}$/);
    expect(() => verifyMetadataMac(parsed, TEST_DEK)).not.toThrow();
  });

  // The sealer writes each field once and splices metaMac in; these are the bytes of the plain
  // reading of the spec, for keys whose UTF-16 and code-point orders differ (BMP above the
  // surrogates, astral) and for a multipart record.
  it('stores the canonical JSON of the record and MACs that of its fields, whatever characters the keys hold', () => {
    const unicode: UnsealedObjectMetadata = {
      ...record,
      encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::bkt/key', '\uFFFF': 'a', '😀': 'b', '\uE000': 'c', é: 'd', Z: 'e' },
      userMetadata: { '\uff41': '1', '𝒳': '2', 'ü': '3', a: '😀' },
    };
    const multipart: UnsealedObjectMetadata = {
      ...unicode,
      metaVersion: 3,
      etag: `${'ef'.repeat(16)}-1`,
      parts: [{ partNumber: 1, plaintextSize: 200_000, headerSha256: 'cd'.repeat(32), etag: '01'.repeat(16), checksums: {} }],
    };
    for (const r of [record, unicode, multipart]) {
      const fields = r as unknown as Record<string, CanonicalJsonValue>;
      const info = Buffer.concat([Buffer.from('gwse/v1/meta', 'latin1'), sha256(canonicalEncryptionContext(r.encryptionContext))]);
      const key = Buffer.from(hkdfSync('sha256', TEST_DEK, Buffer.alloc(0), info, 32));
      const metaMac = createHmac('sha256', key).update(canonicalJson(fields)).digest('hex');
      expect(sealMetadata(r, TEST_DEK).toString('utf8')).toBe(canonicalJson({ ...fields, metaMac }).toString('utf8'));
    }
  });

  it('ignores key order and stray properties of the input when sealing', () => {
    const shuffled = Object.fromEntries(Object.entries(record).reverse()) as unknown as UnsealedObjectMetadata;
    expect(sealMetadata(shuffled, TEST_DEK).equals(sealMetadata(record, TEST_DEK))).toBe(true);
    const withOldMac = { ...record, metaMac: 'ff'.repeat(32) } as UnsealedObjectMetadata & { metaMac: string };
    expect(sealMetadata(withOldMac, TEST_DEK).equals(sealMetadata(record, TEST_DEK))).toBe(true);
  });

  it('accepts an SSE-S3 record with no key ARN', () => {
    const sseS3 = { ...record, sse: 'AES256', kmsKeyArn: null } as const;
    expect(parseMetadata(sealMetadata(sseS3, TEST_DEK)).kmsKeyArn).toBeNull();
    expect(reason(() => sealMetadata({ ...sseS3, kmsKeyArn: record.kmsKeyArn }, TEST_DEK))).toMatch(/kmsKeyArn/);
  });

  it('fails the MAC when sizes, ETag, wrapped key, context or user metadata are edited', () => {
    const sealed = sealMetadata(record, TEST_DEK);
    const edits: ((r: Record<string, unknown>) => void)[] = [
      (r) => { r.plaintextSize = 200_001; r.ciphertextSize = 200_161; },
      (r) => { r.etag = 'f'.repeat(32); },
      (r) => { r.wrappedDek = Buffer.from('another wrapped data key').toString('base64'); },
      (r) => { r.encryptionContext = { 'aws:s3:arn': 'arn:aws:s3:::bkt/key', team: 'y' }; },
      (r) => { r.userMetadata = { colour: 'red' }; },
      (r) => { r.headerSha256 = 'cd'.repeat(32); },
      (r) => { r.lastModified = '2025-05-01T12:00:00.000Z'; },
      (r) => { r.storageClass = 'STANDARD'; },
      (r) => { r.systemHeaders = { 'cache-control': 'no-store' }; },
      (r) => { r.checksums = { CRC64NVME: 'AQAAAAAAAAA=' }; },
    ];
    for (const edit of edits) {
      const parsed = parseMetadata(editStored(sealed, edit));
      expect(reason(() => verifyMetadataMac(parsed, TEST_DEK))).toBe('metadata MAC mismatch');
    }
    const wrongDek = Buffer.from(TEST_DEK);
    wrongDek[0] ^= 1;
    expect(reason(() => verifyMetadataMac(parseMetadata(sealed), wrongDek))).toBe('metadata MAC mismatch');
  });

  it('parses strictly', () => {
    const sealed = sealMetadata(record, TEST_DEK);
    const cases: [(r: Record<string, unknown>) => void, RegExp][] = [
      [(r) => { r.metaVersion = 4; }, /metaVersion/],
      [(r) => { delete r.storageClass; }, /missing or extra/],
      [(r) => { r.storageClass = 'standard'; }, /storageClass/],
      [(r) => { r.systemHeaders = { 'content-type': 'x/y' }; }, /systemHeaders/],
      [(r) => { r.systemHeaders = { expires: 5 }; }, /systemHeaders/],
      [(r) => { delete r.etag; }, /missing or extra/],
      [(r) => { r.extra = 1; }, /missing or extra/],
      [(r) => { r.plaintextSize = '200000'; }, /plaintextSize/],
      [(r) => { r.plaintextSize = 1; }, /ciphertextSize/],
      [(r) => { r.segmentSize = 1000; }, /segmentSize/],
      [(r) => { r.segmentSize = 2 ** 21; }, /segmentSize/],
      [(r) => { r.etag = '"0123456789abcdef0123456789abcdef"'; }, /etag/],
      [(r) => { r.headerSha256 = 'AB'.repeat(32); }, /headerSha256/],
      [(r) => { r.metaMac = 'ab'; }, /metaMac/],
      [(r) => { r.wrappedDek = 'not base64!'; }, /wrappedDek/],
      [(r) => { r.wrappedDek = ''; }, /wrappedDek/],
      [(r) => { r.encryptionContext = { team: 'x' }; }, /encryptionContext/],
      [(r) => { r.encryptionContext = { 'aws:s3:arn': 'x', n: 1 }; }, /encryptionContext/],
      [(r) => { r.bucketKeyEnabled = true; }, /bucketKeyEnabled/],
      [(r) => { r.algorithm = 'GWSE2'; }, /algorithm/],
      [(r) => { r.sse = 'aws:kms:dsse'; }, /sse/],
      [(r) => { r.kmsKeyArn = 'alias/foo'; }, /kmsKeyArn/],
      [(r) => { r.checksums = { MD5: 'AAAAAA==' }; }, /checksum/],
      [(r) => { r.userMetadata = { Colour: 'blue' }; }, /userMetadata/],
      [(r) => { r.lastModified = 'yesterday'; }, /lastModified/],
      [(r) => { r.contentType = 5; }, /contentType/],
    ];
    for (const [edit, expected] of cases) expect(reason(() => parseMetadata(editStored(sealed, edit)))).toMatch(expected);
    expect(reason(() => parseMetadata(Buffer.from('[1]')))).toMatch(/not an object/);
    expect(reason(() => parseMetadata(Buffer.from('{')))).toMatch(/JSON/);
    expect(reason(() => parseMetadata(Buffer.from([0xff])))).toMatch(/UTF-8/);
  });
});
