/**
 * "Bob uploads a document to S3 with SSE-KMS", done for real and checked on disk:
 * the stored bytes are ciphertext, the metadata holds the wrapped data key and the key ARN,
 * GET returns the plaintext, and the KMS key's state decides whether it can be read.
 */
import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CancelKeyDeletionCommand, CreateKeyCommand, DecryptCommand, DisableKeyCommand, EnableKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { bodyBytes, bucketName, errorOf, useGateway } from '../harness.js';
import { allFiles } from '../disk.js';

const fx = useGateway();

describe('the SSE-KMS walkthrough', () => {
  it('stores ciphertext and a wrapped key, serves plaintext, and follows the key state', async () => {
    // 1. Bob's team creates a KMS key and a bucket.
    const { KeyMetadata } = await fx.gw.kms.send(new CreateKeyCommand({ Description: "Bob's documents" }));
    const keyArn = KeyMetadata!.Arn!;
    const bucket = bucketName('bob');
    await fx.gw.s3.send(new CreateBucketCommand({ Bucket: bucket }));

    // 2. Bob uploads a document with SSE-KMS under that key.
    const marker = 'QUARTERLY-REPORT-PLAINTEXT-MARKER';
    const document = Buffer.concat([Buffer.from(marker), randomBytes(150_000), Buffer.from(marker)]);
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'reports/q3.pdf', Body: document, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KeyMetadata!.KeyId }));

    // 3. On disk: no file holds the plaintext; one record holds the wrapped key and the ARN.
    const files = await allFiles(fx.gw.dataDir);
    const probe = document.subarray(40_000, 40_064);
    const records: Buffer[] = [];
    let ciphertextFiles = 0;
    for (const file of files) {
      const bytes = await readFile(file);
      expect(bytes.includes(probe)).toBe(false);
      expect(bytes.includes(Buffer.from(marker))).toBe(false);
      if (bytes.includes(Buffer.from(`"kmsKeyArn":"${keyArn}"`))) records.push(bytes);
      if (bytes.subarray(0, 4).toString('latin1') === 'GWSE') ciphertextFiles += 1;
    }
    expect(records).toHaveLength(1);
    expect(ciphertextFiles).toBeGreaterThanOrEqual(1);
    const recordText = records[0]!.toString('latin1');
    // The gateway's JSON comes right after its 4-byte length; storage's listing entry follows it.
    const metadataAt = recordText.indexOf('{');
    const metadata = JSON.parse(recordText.slice(metadataAt, metadataAt + records[0]!.readUInt32BE(metadataAt - 4))) as {
      kmsKeyArn: string;
      wrappedDek: string;
      encryptionContext: Record<string, string>;
      plaintextSize: number;
    };
    expect(metadata.kmsKeyArn).toBe(keyArn);
    expect(metadata.encryptionContext['aws:s3:arn']).toBe(`arn:aws:s3:::${bucket}/reports/q3.pdf`);
    expect(metadata.plaintextSize).toBe(document.length);
    const wrapped = Buffer.from(metadata.wrappedDek, 'base64');
    expect(wrapped.length).toBeGreaterThan(32 + 16);

    // The wrapped key opens only through the KMS, with the object's encryption context, and
    // the data key it holds appears nowhere on disk, in any encoding.
    const unwrapped = await fx.gw.kms.send(new DecryptCommand({ CiphertextBlob: wrapped, EncryptionContext: metadata.encryptionContext }));
    expect(unwrapped.KeyId).toBe(keyArn);
    const dataKey = Buffer.from(unwrapped.Plaintext!);
    expect(dataKey.length).toBe(32);
    const encodings = [dataKey, Buffer.from(dataKey.toString('hex')), Buffer.from(dataKey.toString('base64')), Buffer.from(dataKey.toString('base64url'))];
    for (const file of await allFiles(fx.gw.dataDir)) {
      const bytes = await readFile(file);
      for (const encoded of encodings) expect(bytes.includes(encoded)).toBe(false);
    }
    const wrongContext = await errorOf(fx.gw.kms.send(new DecryptCommand({ CiphertextBlob: wrapped, EncryptionContext: { 'aws:s3:arn': `arn:aws:s3:::${bucket}/other` } })));
    expect(wrongContext.name).toBe('InvalidCiphertextException');

    // 4. Bob downloads it: plaintext.
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'reports/q3.pdf' }));
    expect((await bodyBytes(got.Body)).equals(document)).toBe(true);

    // 5. The key is disabled: GET fails with KMS.DisabledException; HEAD needs no KMS.
    await fx.gw.kms.send(new DisableKeyCommand({ KeyId: keyArn }));
    const disabled = await errorOf(fx.gw.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'reports/q3.pdf' })));
    expect(disabled).toMatchObject({ name: 'KMS.DisabledException', status: 400, message: `${keyArn} is disabled.` });
    const put = await errorOf(fx.gw.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'reports/q4.pdf', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn })));
    expect(put).toMatchObject({ name: 'KMS.DisabledException', status: 400 });
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'reports/q3.pdf' }));
    expect(head.SSEKMSKeyId).toBe(keyArn);

    // 6. Enabled again: GET works.
    await fx.gw.kms.send(new EnableKeyCommand({ KeyId: keyArn }));
    const again = await fx.gw.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'reports/q3.pdf' }));
    expect((await bodyBytes(again.Body)).equals(document)).toBe(true);

    // 7. Scheduled for deletion: GET fails with KMS.KMSInvalidStateException.
    await fx.gw.kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
    const pending = await errorOf(fx.gw.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'reports/q3.pdf' })));
    expect(pending).toMatchObject({ name: 'KMS.KMSInvalidStateException', status: 400, message: `${keyArn} is pending deletion.` });
    await fx.gw.kms.send(new CancelKeyDeletionCommand({ KeyId: keyArn }));
    await fx.gw.kms.send(new EnableKeyCommand({ KeyId: keyArn }));
    const restored = await fx.gw.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'reports/q3.pdf' }));
    expect((await bodyBytes(restored.Body)).equals(document)).toBe(true);
  });
});
