import { describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hashTap } from './hash-tap.js';

describe('hashTap', () => {
  it.each(['md5', 'sha256'] as const)('passes %s input through unchanged and hashes it', async (algorithm) => {
    const chunks = [randomBytes(10), randomBytes(70_000), Buffer.alloc(0), randomBytes(3)];
    const tap = hashTap(algorithm);
    const seen: Buffer[] = [];
    await pipeline(Readable.from(chunks), tap, new Writable({ write(chunk: Buffer, _enc, done) { seen.push(chunk); done(); } }));
    expect(Buffer.concat(seen).equals(Buffer.concat(chunks))).toBe(true);
    expect(tap.hex()).toBe(createHash(algorithm).update(Buffer.concat(chunks)).digest('hex'));
  });

  it('has no digest before the end', () => {
    expect(() => hashTap('md5').hex()).toThrow(/before the stream ended/);
  });
});
