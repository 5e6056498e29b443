/**
 * V8's heap growing factor, raised while a large body streams through the gateway.
 *
 * After each full GC, V8 sets the old generation's next limit at its live size times a
 * growing factor, and it counts the ArrayBuffers allocated since that GC against the limit.
 * The gateway's heap is small (about 12 MB live) while a large body passes gigabytes of
 * short-lived buffers through it (socket reads, cipher output), and with the factor V8 picks,
 * a 1 GiB PUT or GET often fell into a full mark-compact about every 16 MiB: 50-70 per GiB,
 * 0.3 s of main-thread pauses plus the marking threads' CPU, and 20-30% of the throughput.
 * A factor of 5 (heap-growing-percent 400) ended that (0-2 per GiB). Held all the time,
 * though, it let the old generation grow under small-object load: a 10-minute mixed soak
 * settled about 45 MiB higher and still rose for its first minutes, and with 16 concurrent
 * 64 MiB PUTs, whose buffers then wait longer for a collection, the peak rose from 135-139 to
 * 143-210 MiB. So the factor is 5 only while one or two bodies past LARGE_BODY_BYTES are
 * streaming (a single large transfer is where the pauses cost throughput), and V8's own
 * choice otherwise, with none or with more (where memory is what counts).
 *
 * Only the CLI turns this on; an app embedded in another process keeps V8's defaults, and so
 * does a process started with its own --heap-growing-percent.
 */
import { setFlagsFromString } from 'node:v8';

export const LARGE_BODY_BYTES = 4 * 1024 * 1024;
export const LARGE_BODY_GROWING_PERCENT = 400;
/** Up to this many large bodies at once get the raised factor; beyond it, V8's own again. */
export const MAX_RAISED_BODIES = 2;

let enabled = false;
let active = 0;
/** The value last given to V8; 0 is V8's own setting (its dynamic factor). */
let current = 0;

function apply(): void {
  const wanted = active >= 1 && active <= MAX_RAISED_BODIES ? LARGE_BODY_GROWING_PERCENT : 0;
  if (!enabled || wanted === current) return;
  current = wanted;
  setFlagsFromString(`--heap-growing-percent=${wanted}`);
}

export function enableLargeBodyHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  enabled = !execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg));
}

/** Bodies past LARGE_BODY_BYTES that have not ended yet (tests). */
export function largeBodiesStreaming(): number {
  return active;
}

/** A body passed LARGE_BODY_BYTES; call the returned function when it ends (more calls do nothing). */
export function largeBodyStarted(): () => void {
  active++;
  apply();
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    active--;
    apply();
  };
}

/** Counts a stream's bytes and marks it a large body once they pass LARGE_BODY_BYTES. */
export class LargeBodyMark {
  private bytes = 0;
  private end: (() => void) | null = null;

  passed(length: number): void {
    if (this.end !== null) return;
    this.bytes += length;
    if (this.bytes > LARGE_BODY_BYTES) this.end = largeBodyStarted();
  }

  ended(): void {
    this.end?.();
  }
}
