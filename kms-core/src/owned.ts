// AWS owned keys for SSE-S3: one per purpose, created on first use, invisible to every public
// operation (not listed, not resolvable by id, their blobs refused by Decrypt). Blobs of
// customer keys are refused here in turn, so the two worlds cannot open each other's data keys.

import { randomBytes } from 'node:crypto';
import { parseBlob } from './blob.js';
import type { CoreContext } from './core-context.js';
import { KmsError, invalidCiphertext } from './errors.js';
import { newOwnedKeyRecord } from './key-records.js';
import type { OwnedKeyRecord } from './records.js';
import { unwrapWithKey, wrapWithKey } from './crypto-ops.js';

const PURPOSE_PATTERN = /^[a-zA-Z0-9:/_.-]{1,128}$/;
const OWNED_DATA_KEY_BYTES = 32;

function checkPurpose(purpose: string): void {
  if (typeof purpose !== 'string' || !PURPOSE_PATTERN.test(purpose)) {
    throw new KmsError('ValidationException', `Invalid owned-key purpose '${String(purpose)}'`);
  }
}

async function ownedKey(ctx: CoreContext, purpose: string): Promise<OwnedKeyRecord> {
  const existing = ctx.store.ownedKey(purpose);
  if (existing) return existing;
  await ctx.store.mutate((doc) => {
    if (!Object.hasOwn(doc.ownedKeys, purpose)) doc.ownedKeys[purpose] = newOwnedKeyRecord(ctx, purpose);
  });
  const created = ctx.store.ownedKey(purpose);
  if (!created) throw new KmsError('KMSInternalException', 'The owned key could not be created.');
  return created;
}

export async function generateOwnedDataKey(
  ctx: CoreContext,
  purpose: string,
  encryptionContext: Record<string, string>,
): Promise<{ plaintext: Buffer; ciphertextBlob: Buffer }> {
  checkPurpose(purpose);
  const key = await ownedKey(ctx, purpose);
  const plaintext = randomBytes(OWNED_DATA_KEY_BYTES);
  const { blob } = wrapWithKey(ctx, key, plaintext, encryptionContext);
  return { plaintext, ciphertextBlob: blob };
}

export async function decryptOwned(
  ctx: CoreContext,
  purpose: string,
  ciphertextBlob: Buffer,
  encryptionContext: Record<string, string>,
): Promise<Buffer> {
  checkPurpose(purpose);
  const parsed = parseBlob(ciphertextBlob);
  const key = ctx.store.ownedKey(purpose);
  if (!key || key.keyId !== parsed.keyUuid) throw invalidCiphertext();
  return unwrapWithKey(ctx, key, parsed, encryptionContext).plaintext;
}
