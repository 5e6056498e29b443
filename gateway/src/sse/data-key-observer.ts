/**
 * A narrow window on the life of a PUT's plaintext data key, for the demo (and tests) of an
 * embedded gateway: the key's fingerprint when the KMS hands it over, and whether the buffer
 * holds only zeros once the write wiped it. Never the key bytes: an observer gets a short
 * SHA-256 fingerprint and a boolean. Off unless startGateway is given one; no HTTP path sets it.
 */
import { createHash } from 'node:crypto';

export interface DataKeyEvent {
  readonly bucket: string;
  readonly key: string;
  /** First 8 hex digits of SHA-256 of the plaintext data key. */
  readonly fingerprint: string;
}

export interface DataKeyObserver {
  /** The KMS returned a plaintext data key for this write. */
  generated(event: DataKeyEvent): void;
  /** The write is over and wiped the key: `zeroed` says every byte of the buffer is 0. */
  wiped(event: DataKeyEvent & { readonly zeroed: boolean; readonly length: number }): void;
}

/** A short, one-way name for key material: enough to tell keys apart, useless to recover one. */
export function keyFingerprint(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 8);
}
