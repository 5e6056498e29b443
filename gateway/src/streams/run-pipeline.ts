/**
 * `runPipeline(streams)`: what `stream/promises` `pipeline` does for the object path, without
 * its per-call AbortController, whose abort() at the end of every pipeline builds a
 * DOMException (a stack trace) that nobody reads: measurable on every small PUT and GET.
 *
 * The same contract as Node's:
 * - each stream is piped into the next with `.pipe()`, so back-pressure is the streams' own;
 * - it settles only once every stream has finished or closed, resolving when all ended
 *   cleanly, so a caller that commits afterwards knows the last byte was accepted;
 * - on the first failure every stream not yet finished is destroyed with that error (a
 *   premature close counts as a failure: a client that hangs up settles the pipeline), and
 *   the promise rejects with the first error, except that a premature-close error gives way
 *   to a real one reported while the pipeline comes down (as Node's does);
 * - errors a stream emits after that are swallowed: each keeps its finished() listener.
 */
import { finished, type Readable, type Writable } from 'node:stream';

/** A source, then transforms, then a destination. */
export type PipelineStreams = readonly [Readable, ...(Readable | Writable)[]];

export function runPipeline(all: PipelineStreams): Promise<void> {
  const last = all.length - 1;
  if (last < 1) return Promise.reject(new RangeError('a pipeline needs a source and a destination'));
  return new Promise((resolve, reject) => {
    const done = new Array<boolean>(all.length).fill(false);
    let pending = all.length;
    let error: Error | undefined;
    const settle = (): void => {
      if (error) reject(error);
      else resolve();
    };
    all.forEach((stream, i) => {
      finished(stream, { readable: i < last, writable: i > 0 }, (err) => {
        if (done[i]) return;
        done[i] = true;
        if (err) fail(err);
        if (--pending === 0) settle();
      });
    });
    function fail(err: Error): void {
      const first = error === undefined;
      if (first || isPrematureClose(error!)) error = isPrematureClose(err) && error ? error : err;
      if (!first) return;
      for (let i = 0; i <= last; i++) if (!done[i]) (all[i] as Readable).destroy(err);
    }
    for (let i = 0; i < last; i++) (all[i] as Readable).pipe(all[i + 1] as Writable);
  });
}

function isPrematureClose(err: Error): boolean {
  return (err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
}
