import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { IntegrityError } from './errors.js';
import { openPartRecord, sealPartRecord } from './upload-record.js';

describe('part records', () => {
  const upload = { encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::b/k' } };
  const dek = randomBytes(32);
  afterAll(() => {
    dek.fill(0);
  });
  const part = { plaintextSize: 5, headerSha256: 'a'.repeat(64), etag: 'b'.repeat(32), checksums: {}, defaultCrc64nvme: 'AAAAAAAAAAE=' };

  it('keep the default CRC64NVME under the MAC: read back as sealed, refused when altered', () => {
    const sealed = sealPartRecord(part, 2, upload, dek);
    expect(openPartRecord(sealed, 2, upload, dek).defaultCrc64nvme).toBe(part.defaultCrc64nvme);
    const altered = Buffer.from(sealed.toString('utf8').replace(part.defaultCrc64nvme, 'AAAAAAAAAAI='));
    expect(() => openPartRecord(altered, 2, upload, dek)).toThrow(IntegrityError);
    const { defaultCrc64nvme: _dropped, ...rest } = JSON.parse(sealed.toString('utf8')) as Record<string, unknown>;
    expect(() => openPartRecord(Buffer.from(JSON.stringify(rest)), 2, upload, dek)).toThrow(IntegrityError);
  });
});
