/**
 * Where the KMS and object data meet: a fresh data key for each write (GenerateDataKey under
 * the chosen KMS key, or the gateway-owned SSE-S3 key), and its unwrapping on read
 * (Decrypt, which is where kms-core checks the caller may use the key). The plaintext data
 * key lives only for one request and the caller zeroes it.
 */
import type { Caller, KmsCore } from '@kmsgate/kms-core';
import type { SseRequest } from '../s3/sse-headers.js';
import { IntegrityError, type ObjectEncryptionContext, type ObjectMetadataV1 } from './index.js';

/** kms-core's purpose name for the SSE-S3 key: S3's own key, invisible through the KMS API. */
const SSE_S3_PURPOSE = 'aws/s3-sse-s3';

export interface ObjectDataKey {
  /** 32-byte plaintext data key: the caller must `fill(0)` it. */
  dek: Buffer;
  wrappedDek: Buffer;
  /** The KMS key ARN for aws:kms; null for SSE-S3. */
  kmsKeyArn: string | null;
}

export async function generateObjectKey(kms: KmsCore, caller: Caller, sse: SseRequest, context: ObjectEncryptionContext): Promise<ObjectDataKey> {
  if (sse.sse === 'AES256') {
    const owned = await kms.generateOwnedDataKey(SSE_S3_PURPOSE, { ...context.context });
    return { dek: owned.plaintext, wrappedDek: owned.ciphertextBlob, kmsKeyArn: null };
  }
  const generated = await kms.generateDataKey({ KeyId: sse.keyId, EncryptionContext: { ...context.context }, KeySpec: 'AES_256' }, caller);
  return { dek: generated.Plaintext, wrappedDek: generated.CiphertextBlob, kmsKeyArn: generated.KeyId };
}

/** The object's plaintext data key; the caller must `fill(0)` it. */
export async function unwrapObjectKey(
  kms: KmsCore, caller: Caller, meta: Pick<ObjectMetadataV1, 'sse' | 'wrappedDek' | 'encryptionContext' | 'kmsKeyArn'>,
): Promise<Buffer> {
  const blob = Buffer.from(meta.wrappedDek, 'base64');
  if (meta.sse === 'AES256') return kms.decryptOwned(SSE_S3_PURPOSE, blob, { ...meta.encryptionContext });
  const out = await kms.decrypt({ CiphertextBlob: blob, EncryptionContext: { ...meta.encryptionContext } }, caller);
  if (out.KeyId !== meta.kmsKeyArn) {
    out.Plaintext.fill(0);
    throw new IntegrityError('the wrapped data key belongs to another KMS key than the metadata names');
  }
  return out.Plaintext;
}
