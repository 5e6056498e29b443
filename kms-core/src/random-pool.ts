// Random bytes for the hot path. One randomBytes call costs about as much as sealing a data
// key, so nonces and data keys are cut from an 8 KiB buffer filled by the CSPRNG; every byte is
// handed out once and wiped from the buffer as it leaves (the buffer is zeroed on close).

import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 8192;

export class RandomPool {
  readonly #pool = Buffer.allocUnsafeSlow(POOL_BYTES);
  #offset = POOL_BYTES;

  /** `n` fresh random bytes in a Buffer of their own, which the caller owns. */
  take(n: number): Buffer {
    if (n > POOL_BYTES / 4) return randomFillSync(Buffer.alloc(n));
    if (this.#offset + n > POOL_BYTES) {
      randomFillSync(this.#pool);
      this.#offset = 0;
    }
    const out = Buffer.allocUnsafe(n);
    this.#pool.copy(out, 0, this.#offset, this.#offset + n);
    this.#pool.fill(0, this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }

  close(): void {
    this.#pool.fill(0);
    this.#offset = POOL_BYTES;
  }
}
