/**
 * XAES-256-GCM (C2SP, https://c2sp.org/XAES-256-GCM): AES-256-GCM with a 192-bit random nonce,
 * through a per-nonce key derived with AES itself. Random nonces that long never collide in
 * practice, so one key may seal any number of messages, and the per-message cost is two AES
 * blocks rather than an HKDF (which is what made the version 1 blob slow).
 *
 *   L   = AES-256-ECB(K, 0^128)
 *   K1  = dbl(L)                  (shift left one bit in GF(2^128); xor 0x87 into the last byte
 *                                  when the top bit of L was set — the CMAC subkey)
 *   M1  = 00 01 58 00 ‖ N[0..12)  ("X" = 0x58)
 *   M2  = 00 02 58 00 ‖ N[0..12)
 *   Kx  = AES-256-ECB(K, M1 ⊕ K1) ‖ AES-256-ECB(K, M2 ⊕ K1)
 *   out = AES-256-GCM(Kx, nonce = N[12..24), plaintext, aad) ‖ tag(16)
 *
 * An XaesKey keeps one ECB cipher context for K (so K's key schedule is done once) and K1;
 * `destroy` frees the context (OpenSSL cleanses it) and zeroes K1.
 */

import { createCipheriv } from 'node:crypto';
import type { Cipher } from 'node:crypto';
import { gcmOpen, gcmSeal } from './seal.js';

export const XAES_NONCE_BYTES = 24;

export class XaesKey {
  #ecb: Cipher | null;
  readonly #k1: Buffer;
  /** The two derivation blocks, reused (and zeroed after each use): calls are synchronous. */
  readonly #block = Buffer.alloc(32);

  constructor(key: Buffer) {
    if (key.length !== 32) throw new RangeError('an XAES-256-GCM key is 32 bytes');
    const ecb = createCipheriv('aes-256-ecb', key, null);
    ecb.setAutoPadding(false);
    const l = ecb.update(Buffer.alloc(16));
    const k1 = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) k1[i] = ((l[i] << 1) | (i < 15 ? l[i + 1] >> 7 : 0)) & 0xff;
    if (l[0] & 0x80) k1[15] ^= 0x87;
    l.fill(0);
    this.#ecb = ecb;
    this.#k1 = k1;
  }

  /** The AES-256-GCM key for `nonce`; the caller zeroes it. */
  #derive(nonce: Buffer): Buffer {
    if (!this.#ecb) throw new Error('XAES key used after destroy');
    if (nonce.length !== XAES_NONCE_BYTES) throw new RangeError('an XAES-256-GCM nonce is 24 bytes');
    const m = this.#block;
    for (let half = 0; half < 2; half++) {
      const o = half * 16;
      m[o] = 0;
      m[o + 1] = half + 1;
      m[o + 2] = 0x58;
      m[o + 3] = 0;
      nonce.copy(m, o + 4, 0, 12);
      for (let i = 0; i < 16; i++) m[o + i] ^= this.#k1[i];
    }
    const kx = this.#ecb.update(m);
    m.fill(0);
    return kx;
  }

  seal(nonce: Buffer, plaintext: Buffer, aad: Buffer): { ciphertext: Buffer; tag: Buffer } {
    const kx = this.#derive(nonce);
    try {
      return gcmSeal(kx, nonce.subarray(12), plaintext, aad);
    } finally {
      kx.fill(0);
    }
  }

  /** The plaintext, or null when the tag does not verify. */
  open(nonce: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer | null {
    const kx = this.#derive(nonce);
    try {
      return gcmOpen(kx, nonce.subarray(12), ciphertext, tag, aad);
    } finally {
      kx.fill(0);
    }
  }

  destroy(): void {
    if (!this.#ecb) return;
    this.#ecb.final();
    this.#ecb = null;
    this.#k1.fill(0);
    this.#block.fill(0);
  }
}
