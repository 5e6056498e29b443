/**
 * Known-answer vectors: pin the exact bytes of GWSE v1. If this fails, the format
 * changed, and every stored object would stop opening — bump the format version instead.
 */
import { describe, expect, it } from '@jest/globals';
import { createCipheriv, createHash, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { encryptToBuffer, readThroughGetPath } from '../testing/streams.js';
import { patternBytes } from '../testing/prng.js';
import { FULL_HEX_LIMIT, VECTOR_CONTEXT, VECTOR_DEK, VECTOR_NONCE_PREFIX, VECTOR_SALT, VECTOR_SPECS } from '../testing/vectors.js';

interface StoredVector {
  name: string;
  segmentSizeLog2: number;
  plaintextLength: number;
  partNumber: number;
  lengthInRecord?: boolean;
  header: string;
  headerSha256: string;
  etag: string;
  fileSize: number;
  fileSha256: string;
  file?: string;
}
interface VectorFile {
  dek: string;
  salt: string;
  noncePrefix: string;
  objectContext: string;
  vectors: StoredVector[];
}

const stored = JSON.parse(readFileSync(new URL('./gwse-vectors.json', import.meta.url), 'utf8')) as VectorFile;
const sha256hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

type Spec = Pick<StoredVector, 'segmentSizeLog2' | 'plaintextLength' | 'partNumber' | 'lengthInRecord'>;

async function encryptSpec(v: Spec): ReturnType<typeof encryptToBuffer> {
  return encryptToBuffer(patternBytes(v.plaintextLength), {
    dek: VECTOR_DEK, objectContext: VECTOR_CONTEXT, salt: VECTOR_SALT, noncePrefix: VECTOR_NONCE_PREFIX,
    segmentSizeLog2: v.segmentSizeLog2, partNumber: v.partNumber, plaintextLength: v.lengthInRecord === true ? null : v.plaintextLength,
  });
}

/** The spec read afresh: HKDF labels, nonces and the AAD built by hand, not by the format module. */
function independentKey(label: string, partNumber: number): Buffer {
  const part = Buffer.alloc(4);
  part.writeUInt32BE(partNumber);
  const info = Buffer.concat([Buffer.from(`gwse/v1/${label}`), Buffer.from([1]), part, createHash('sha256').update(VECTOR_CONTEXT).digest()]);
  return Buffer.from(hkdfSync('sha256', VECTOR_DEK, VECTOR_SALT, info, 32));
}

function independentSeal(header: Buffer, partNumber: number, index: number, final: boolean, plain: Buffer): Buffer {
  const nonce = Buffer.concat([VECTOR_NONCE_PREFIX, Buffer.from([0, 0, 0, index, final ? 1 : 0])]);
  const c = createCipheriv('aes-256-gcm', independentKey('content', partNumber), nonce).setAAD(createHash('sha256').update(header).digest());
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
}

describe('GWSE v1 known-answer vectors', () => {
  it('stores the inputs the test uses', () => {
    expect(stored.dek).toBe(VECTOR_DEK.toString('hex'));
    expect(stored.salt).toBe(VECTOR_SALT.toString('hex'));
    expect(stored.noncePrefix).toBe(VECTOR_NONCE_PREFIX.toString('hex'));
    expect(stored.objectContext).toBe(VECTOR_CONTEXT.toString('utf8'));
    expect(stored.vectors.map((v) => v.name)).toEqual(VECTOR_SPECS.map((v) => v.name));
  });

  for (const v of stored.vectors) {
    it(`reproduces ${v.name} exactly and decrypts it back`, async () => {
      const { file, enc } = await encryptSpec(v);
      expect(enc.header.toString('hex')).toBe(v.header);
      expect(enc.headerSha256).toBe(v.headerSha256);
      expect(enc.etag).toBe(v.etag);
      expect(file.length).toBe(v.fileSize);
      expect(sha256hex(file)).toBe(v.fileSha256);
      if (v.fileSize <= FULL_HEX_LIMIT) expect(file.toString('hex')).toBe(v.file);

      const back = await readThroughGetPath(file, {
        dek: VECTOR_DEK, objectContext: VECTOR_CONTEXT, expectedHeaderSha256: v.headerSha256, expectedPlaintextLength: v.plaintextLength,
      });
      expect(back.error).toBeNull();
      expect(back.emitted.equals(patternBytes(v.plaintextLength))).toBe(true);
    });
  }

  it('matches an independent reading of the spec (multipart vector, two segments)', async () => {
    const v = stored.vectors.find((x) => x.partNumber === 3);
    if (v === undefined) throw new Error('vector missing');
    const S = 2 ** v.segmentSizeLog2;
    const header = Buffer.from(v.header, 'hex');
    expect(header.subarray(0, 8).toString('hex')).toBe('475753450101' + '0c' + '01');
    expect(header.readBigUInt64BE(8)).toBe(BigInt(S + 1));
    expect(header.readUInt32BE(16)).toBe(3);
    expect(header.subarray(64).equals(independentKey('commit', 3))).toBe(true);
    const plain = patternBytes(S + 1);
    const expected = Buffer.concat([header, independentSeal(header, 3, 0, false, plain.subarray(0, S)), independentSeal(header, 3, 1, true, plain.subarray(S))]);
    expect(sha256hex(expected)).toBe(v.fileSha256);
    expect((await encryptSpec(v)).file.equals(expected)).toBe(true);
  });

  it('matches an independent reading of step 6 (length in the record)', async () => {
    const S = 4096;
    for (const [p, seals] of [[0, [[0, true, 0, 0]]], [S, [[0, true, 0, S]]], [S + 1, [[0, false, 0, S], [1, true, S, S + 1]]]] as const) {
      const v = stored.vectors.find((x) => x.lengthInRecord === true && x.plaintextLength === p);
      if (v === undefined) throw new Error(`vector P=${p} missing`);
      const header = Buffer.from(v.header, 'hex');
      // Flag bit 1, and a zero length field whatever the length.
      expect(header.subarray(0, 16).toString('hex')).toBe('475753450101' + '0c' + '02' + '0000000000000000');
      expect(header.subarray(64).equals(independentKey('commit', 0))).toBe(true);
      const plain = patternBytes(p);
      // A full last segment is sealed final: the end of the body, not a length, decided it.
      const expected = Buffer.concat([header, ...seals.map(([i, final, a, b]) => independentSeal(header, 0, i, final, plain.subarray(a, b)))]);
      expect(expected.length).toBe(v.fileSize);
      expect(sha256hex(expected)).toBe(v.fileSha256);
    }
  });
});
