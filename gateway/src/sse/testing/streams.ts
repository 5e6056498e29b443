/**
 * In-memory stream helpers for the object format's tests: encrypt a buffer through the
 * real Transform, and run the real GET path over file bytes held in memory, recording
 * what was emitted before any error.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createEncryptStream } from '../encrypt-stream.js';
import type { EncryptStream, EncryptStreamOptions } from '../encrypt-stream.js';
import { openPlaintextInMemory, openPlaintextStream } from '../decrypt-stream.js';
import type { PlaintextRange } from '../format/range.js';
import { canonicalEncryptionContext } from '../context.js';

export const TEST_DEK = Buffer.from(Array.from({ length: 32 }, (_, i) => i)); // obviously a test key
export const TEST_CONTEXT = canonicalEncryptionContext({ 'aws:s3:arn': 'arn:aws:s3:::test-bucket/some/key', department: 'tests' });

/** A byte-mode stream yielding `data` in pieces of `chunkSize` (the storage read stand-in). */
export function chunkedSource(data: Buffer, chunkSize = 5000): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) pieces.push(data.subarray(i, i + chunkSize));
  return Readable.from(pieces, { objectMode: false });
}

export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function encryptToBuffer(
  plaintext: Buffer,
  opts: Partial<EncryptStreamOptions> = {},
  chunkSize = 7000,
): Promise<{ file: Buffer; enc: EncryptStream }> {
  const enc = createEncryptStream({ dek: TEST_DEK, objectContext: TEST_CONTEXT, plaintextLength: plaintext.length, ...opts });
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk);
      cb();
    },
  });
  await pipeline(chunkedSource(plaintext, chunkSize), enc.transform, sink);
  return { file: Buffer.concat(out), enc };
}

export interface ReadOutcome {
  /** True when openPlaintextStream resolved (first segment verified). */
  readonly opened: boolean;
  readonly emitted: Buffer;
  readonly error: unknown;
}

export async function readThroughGetPath(
  file: Buffer,
  opts: {
    dek?: Buffer;
    objectContext?: Buffer;
    range?: PlaintextRange;
    expectedHeaderSha256?: string;
    expectedPartNumber?: number;
    /** The metadata record's length; a length-in-record header needs it. */
    expectedPlaintextLength?: number;
    chunkSize?: number;
    /** The size storage claims; defaults to the bytes actually served. */
    fileSize?: number;
    /** Serve everything from `start` on, as a misbehaving store might. */
    ignoreReadEnd?: boolean;
    /**
     * Read as a small object is read: the whole file from memory (openPlaintextInMemory), all
     * or nothing. There the store holds exactly `file`, so chunkSize, fileSize and ignoreReadEnd
     * do not apply.
     */
    inMemory?: boolean;
  } = {},
): Promise<ReadOutcome> {
  if (opts.inMemory === true) {
    try {
      const emitted = openPlaintextInMemory({ ...opts, dek: opts.dek ?? TEST_DEK, objectContext: opts.objectContext ?? TEST_CONTEXT, file });
      return { opened: true, emitted, error: null };
    } catch (error) {
      return { opened: false, emitted: Buffer.alloc(0), error };
    }
  }
  let body: Readable;
  try {
    body = await openPlaintextStream({
      dek: opts.dek ?? TEST_DEK,
      objectContext: opts.objectContext ?? TEST_CONTEXT,
      fileSize: opts.fileSize ?? file.length,
      expectedHeaderSha256: opts.expectedHeaderSha256,
      expectedPartNumber: opts.expectedPartNumber,
      expectedPlaintextLength: opts.expectedPlaintextLength,
      range: opts.range,
      readFile: (start, end) => chunkedSource(file.subarray(start, opts.ignoreReadEnd === true ? file.length : end), opts.chunkSize),
    });
  } catch (error) {
    return { opened: false, emitted: Buffer.alloc(0), error };
  }
  const chunks: Buffer[] = [];
  try {
    for await (const c of body) chunks.push(c as Buffer);
  } catch (error) {
    return { opened: true, emitted: Buffer.concat(chunks), error };
  }
  return { opened: true, emitted: Buffer.concat(chunks), error: null };
}
