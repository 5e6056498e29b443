import { describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { LARGE_BODY_BYTES, largeBodiesStreaming, largeBodyStarted } from './heap-growth.js';
import { createEncryptStream } from './sse/encrypt-stream.js';
import { openPlaintextStream } from './sse/decrypt-stream.js';
import { TEST_CONTEXT, TEST_DEK, collect, encryptToBuffer } from './sse/testing/streams.js';

const CHUNK = 256 * 1024;

describe('large bodies for the heap growing factor', () => {
  it('counts a body from its start to its end, once however often it is ended', () => {
    const end = largeBodyStarted();
    const other = largeBodyStarted();
    expect(largeBodiesStreaming()).toBe(2);
    end();
    end();
    expect(largeBodiesStreaming()).toBe(1);
    other();
    expect(largeBodiesStreaming()).toBe(0);
  });

  it('an encryption past LARGE_BODY_BYTES is one while it streams, and not once it ended or failed', async () => {
    for (const plaintextLength of [LARGE_BODY_BYTES + CHUNK, null]) {
      const enc = createEncryptStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, plaintextLength });
      enc.transform.resume();
      const write = (n: number): Promise<void> => new Promise((resolve) => enc.transform.write(Buffer.alloc(n), () => resolve()));
      await write(LARGE_BODY_BYTES);
      expect(largeBodiesStreaming()).toBe(0);
      await write(CHUNK);
      expect(largeBodiesStreaming()).toBe(1);
      const closed = once(enc.transform, 'close');
      enc.transform.end();
      await closed;
      expect(largeBodiesStreaming()).toBe(0);
    }
    const failed = createEncryptStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, plaintextLength: null });
    failed.transform.resume();
    await new Promise((resolve) => failed.transform.write(Buffer.alloc(LARGE_BODY_BYTES + 1), resolve));
    expect(largeBodiesStreaming()).toBe(1);
    const closed = once(failed.transform, 'close').catch(() => {});
    failed.transform.destroy(new Error('client went away'));
    await closed;
    expect(largeBodiesStreaming()).toBe(0);
  });

  it('a decryption past LARGE_BODY_BYTES is one while it streams, and not once it ended', async () => {
    const plaintext = Buffer.alloc(LARGE_BODY_BYTES + CHUNK, 7);
    const { file, enc } = await encryptToBuffer(plaintext, {}, CHUNK);
    const source = new PassThrough();
    const opening = openPlaintextStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, fileSize: file.length, expectedHeaderSha256: enc.headerSha256, readFile: () => source });
    source.write(file.subarray(0, CHUNK));
    const body = await opening;
    expect(largeBodiesStreaming()).toBe(0);
    const collected = collect(body);
    const fed = (n: number): Promise<void> => new Promise((resolve) => source.write(file.subarray(CHUNK, n), () => resolve()));
    await fed(LARGE_BODY_BYTES + CHUNK / 2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(largeBodiesStreaming()).toBe(1);
    source.end(file.subarray(LARGE_BODY_BYTES + CHUNK / 2));
    expect((await collected).equals(plaintext)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(largeBodiesStreaming()).toBe(0);
  });
});
