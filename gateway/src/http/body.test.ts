// What a request body must declare, and the single-PUT limit counted while a chunked body
// streams (it has no length to check up front). The stages are the real ones PutObject runs.
import { describe, expect, it } from '@jest/globals';
import { IncomingMessage, type IncomingHttpHeaders } from 'node:http';
import { Socket } from 'node:net';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { VerifiedAuth } from '../auth/index.js';
import { MAX_SINGLE_PUT, payloadStages, requestSource } from './body.js';
import { S3Error } from './errors.js';

const MiB = 1024 * 1024;
const unsigned: VerifiedAuth = { accessKeyId: 'AKIDEXAMPLE', service: 's3', signatureVersion: 4, payload: { kind: 'unsigned' }, presigned: false };
const streaming: VerifiedAuth = { ...unsigned, payload: { kind: 'streaming-unsigned-trailer' } };

/** What payloadStages reads of a request; the stages run over a source of our own, not the request. */
function request(auth: VerifiedAuth, headers: IncomingHttpHeaders): Parameters<typeof payloadStages>[0] {
  return { auth, headers, query: new URLSearchParams(), req: new IncomingMessage(new Socket()) };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof S3Error ? err.code : String(err);
  }
  return undefined;
}

/** `total` bytes as 1 MiB views of one zeroed buffer: no memory, no disk. */
function zeros(total: number): Readable {
  const block = Buffer.alloc(MiB);
  function* views(): Generator<Buffer> {
    for (let left = total; left > 0; left -= MiB) yield block.subarray(0, Math.min(MiB, left));
  }
  return Readable.from(views(), { objectMode: false });
}

/** Streams `total` bytes through the stages (only the first `upTo`, if given) into a counting sink. */
async function run(headers: IncomingHttpHeaders, total: number, opts: { maxLength?: number; upTo?: number } = {}): Promise<{ passed: number; error: unknown }> {
  const { stages } = payloadStages(request(unsigned, headers), opts.maxLength);
  let passed = 0;
  const sink = new Writable({ write(chunk: Buffer, _e, done) { passed += chunk.length; done(); } });
  const error = await pipeline([zeros(total), ...stages.slice(0, opts.upTo), sink]).then(() => null, (e: unknown) => e);
  return { passed, error };
}

describe('payload framing', () => {
  it('needs a Content-Length, x-amz-decoded-content-length for aws-chunked, or chunked framing', () => {
    expect(codeOf(() => payloadStages(request(unsigned, {})))).toBe('MissingContentLength');
    expect(codeOf(() => payloadStages(request(streaming, { 'transfer-encoding': 'chunked', 'content-encoding': 'aws-chunked' })))).toBe('MissingContentLength');
    expect(payloadStages(request(unsigned, { 'content-length': '5' })).length).toBe(5);
    expect(payloadStages(request(unsigned, { 'transfer-encoding': 'chunked' })).length).toBeNull();
    expect(payloadStages(request(streaming, { 'transfer-encoding': 'chunked', 'x-amz-decoded-content-length': '7' })).length).toBe(7);
    // Codings we would not decode are not chunked framing.
    expect(codeOf(() => payloadStages(request(unsigned, { 'transfer-encoding': 'gzip, chunked' })))).toBe('MissingContentLength');
  });

  it('refuses a declared length over the limit before reading a byte', () => {
    expect(codeOf(() => payloadStages(request(unsigned, { 'content-length': String(MAX_SINGLE_PUT + 1) })))).toBe('EntityTooLarge');
  });

  it('counts a chunked body against the limit as it streams: the limit passes, one byte more fails', async () => {
    const chunked = { 'transfer-encoding': 'chunked' };
    expect(await run(chunked, 10 * MiB, { maxLength: 10 * MiB })).toEqual({ passed: 10 * MiB, error: null });
    const over = await run(chunked, 10 * MiB + 1, { maxLength: 10 * MiB });
    expect((over.error as S3Error).code).toBe('EntityTooLarge');
    expect(over.passed).toBeLessThanOrEqual(10 * MiB);
  });

  it('fails a chunked body once it passes 5 GiB, the default single-PUT limit, in its first stage', async () => {
    // The count comes first, so no hash or checksum stage spends work past the limit; only
    // that stage runs here (5 GiB through the checksum stages would take seconds).
    const over = await run({ 'transfer-encoding': 'chunked' }, MAX_SINGLE_PUT + MiB, { upTo: 1 });
    expect((over.error as S3Error).code).toBe('EntityTooLarge');
    expect(over.passed).toBe(MAX_SINGLE_PUT);
  }, 60_000);
});

describe('request source', () => {
  it('reads at most 64 KiB a side ahead of the stage after it; the rest waits in the request', async () => {
    const req = new IncomingMessage(new Socket());
    const source = requestSource(req);
    try {
      const chunk = Buffer.alloc(16 * 1024, 1);
      // 1 MiB arrives at once and nothing downstream reads: the source must stop taking it.
      for (let i = 0; i < 64; i++) req.push(chunk);
      await new Promise<void>((resolve) => setImmediate(resolve));
      const ahead = 2 * 64 * 1024 + chunk.length;
      expect(source.readableLength + (source as PassThrough).writableLength).toBeLessThanOrEqual(ahead);
      expect(req.readableLength).toBeGreaterThanOrEqual(1024 * 1024 - ahead);
    } finally {
      source.destroy();
    }
  });
});
