import { describe, expect, it } from '@jest/globals';
import { PassThrough, Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { runPipeline, type PipelineStreams } from './run-pipeline.js';

const collect = (): Writable & { bytes: Buffer[] } => {
  const bytes: Buffer[] = [];
  return Object.assign(new Writable({ write(chunk: Buffer, _enc, done) { bytes.push(chunk); done(); } }), { bytes });
};
const upper = (): Transform => new Transform({ transform(chunk: Buffer, _enc, done) { done(null, Buffer.from(chunk.toString().toUpperCase())); } });
const failing = (err: Error, afterChunks = 0): Transform => {
  let seen = 0;
  return new Transform({ transform(chunk: Buffer, _enc, done) { if (seen++ >= afterChunks) done(err); else done(null, chunk); } });
};

interface Outcome {
  readonly error: string | undefined;
  readonly destroyed: boolean[];
}

/** Runs `build()`'s streams through `run`, then lets every stream finish closing. */
async function outcome(run: (streams: PipelineStreams) => Promise<void>, build: () => PipelineStreams, poke?: (streams: PipelineStreams) => void): Promise<Outcome> {
  const streams = build();
  const settled = run(streams).then(() => undefined, (err: NodeJS.ErrnoException) => err.code ?? err.message);
  poke?.(streams);
  const error = await settled;
  await nextTurn();
  return { error, destroyed: streams.map((s) => s.destroyed) };
}

/** The same scenario through Node's pipeline and ours: the outcomes must agree. */
async function sameAsNode(build: () => PipelineStreams, poke?: (streams: PipelineStreams) => void): Promise<Outcome> {
  const node = await outcome((s) => pipeline(s as unknown as [Readable, Writable]), build, poke);
  const ours = await outcome(runPipeline, build, poke);
  expect(ours).toEqual(node);
  return ours;
}

describe('runPipeline', () => {
  it('moves every byte through the stages and resolves once the destination has finished', async () => {
    const sink = collect();
    await runPipeline([Readable.from([Buffer.from('ab'), Buffer.from('cd')]), upper(), new PassThrough(), sink]);
    expect(sink.writableFinished).toBe(true);
    expect(Buffer.concat(sink.bytes).toString()).toBe('ABCD');
  });

  it('refuses a pipeline of one stream', async () => {
    await expect(runPipeline([new PassThrough()])).rejects.toThrow(RangeError);
  });

  it('destroys every stream and rejects with the error of a failing stage', async () => {
    const result = await sameAsNode(() => [Readable.from(['a', 'b', 'c']), failing(new Error('stage failed'), 1), collect()]);
    expect(result).toEqual({ error: 'stage failed', destroyed: [true, true, true] });
  });

  it('settles when the destination closes early (a client that hangs up), destroying the source', async () => {
    const result = await sameAsNode(
      () => [new Readable({ read() {} }), new PassThrough(), collect()],
      (streams) => setImmediate(() => streams[2]!.destroy()),
    );
    expect(result).toEqual({ error: 'ERR_STREAM_PREMATURE_CLOSE', destroyed: [true, true, true] });
  });

  it('rejects with the error of a source that failed before the call', async () => {
    const result = await sameAsNode(() => {
      const source = new PassThrough();
      source.destroy(new Error('client gone'));
      return [source, upper(), collect()];
    });
    expect(result).toEqual({ error: 'client gone', destroyed: [true, true, true] });
  });

  it('lets a real error reported while coming down win over the premature close that caused it', async () => {
    const result = await sameAsNode(
      () => [
        new Readable({ read() {} }),
        new Transform({ transform: (c, _e, done) => done(null, c), destroy: (_err, done) => done(new Error('stage cleanup failed')) }),
        collect(),
      ],
      (streams) => setImmediate(() => streams[0]!.destroy()),
    );
    expect(result.error).toBe('stage cleanup failed');
  });

  it('keeps to back-pressure: a stalled destination stops the source after its buffers fill', async () => {
    let produced = 0;
    const chunk = Buffer.alloc(1024);
    const source = new Readable({ highWaterMark: 4096, read() { produced += chunk.length; this.push(chunk); } });
    const stalled = new Writable({ highWaterMark: 4096, write() { /* never calls back */ } });
    const running = runPipeline([source, new PassThrough({ highWaterMark: 4096 }), stalled]).catch((err: Error) => err);
    for (let i = 0; i < 50; i++) await nextTurn();
    // Each stage's buffers hold a few KiB; an unthrottled source would have pushed on and on.
    expect(produced).toBeLessThan(64 * 1024);
    source.destroy(new Error('stop'));
    expect(await running).toEqual(new Error('stop'));
  });

  it('swallows an error a stream emits after the pipeline settled', async () => {
    const sink = collect();
    const source = Readable.from(['x']);
    await runPipeline([source, sink]);
    expect(() => sink.emit('error', new Error('late'))).not.toThrow();
  });
});
