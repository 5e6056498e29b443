import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import {
  CRC64_INITIAL, CRC64_TABLES, LITTLE_ENDIAN, NATIVE_CRC64, crc64Digest, crc64Fold, crc64FoldNative, type Crc64State,
} from './crc64nvme.js';

async function reference(data: Uint8Array): Promise<string> {
  const crc = new Crc64Nvme();
  crc.update(data);
  return Buffer.from(await crc.digest()).toString('hex');
}

type Fold = (state: Crc64State, data: Uint8Array) => void;

const jsFold: Fold = (state, data) => crc64Fold(CRC64_TABLES, state, data, LITTLE_ENDIAN);
const nativeFold: Fold = (state, data) => crc64FoldNative(NATIVE_CRC64!.crc64nvme, state, data);

function digestHex(pieces: { fold: Fold; data: Uint8Array }[]): string {
  const state = { ...CRC64_INITIAL };
  for (const p of pieces) p.fold(state, p.data);
  return crc64Digest(state).toString('hex');
}

describe('CRC64NVME folds', () => {
  it('load aws-crt\'s native one on this platform (the JS fold is only the fallback)', () => {
    expect(NATIVE_CRC64).not.toBeNull();
  });

  for (const [name, fold] of [['JS', jsFold], ['native', nativeFold]] as const) {
    it(`${name}: the AWS SDK's value at every alignment in memory and split at an odd point`, async () => {
      const backing = randomBytes(4096 + 64);
      for (const offset of [0, 1, 2, 3, 4, 5, 6, 7]) {
        for (const len of [0, 1, 7, 15, 16, 17, 23, 24, 31, 4096 + 5]) {
          const data = backing.subarray(offset, offset + len);
          const expected = await reference(data);
          expect(digestHex([{ fold, data }])).toBe(expected);
          expect(digestHex([{ fold, data: data.subarray(0, 5) }, { fold, data: data.subarray(5) }])).toBe(expected);
        }
      }
    });
  }

  it('carry one register between them: a body may be folded by one and finished by the other', async () => {
    const data = randomBytes(100_003);
    const expected = await reference(data);
    expect(digestHex([{ fold: jsFold, data: data.subarray(0, 40_001) }, { fold: nativeFold, data: data.subarray(40_001) }])).toBe(expected);
    expect(digestHex([{ fold: nativeFold, data: data.subarray(0, 9) }, { fold: jsFold, data: data.subarray(9) }])).toBe(expected);
  });
});
