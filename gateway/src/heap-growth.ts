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
 * settled about 45 MiB higher and still rose for its first minutes. So the factor is 5 only
 * while some body past LARGE_BODY_BYTES is streaming, and V8's own choice otherwise.
 *
 * Only the CLI turns this on; an app embedded in another process keeps V8's defaults, and so
 * does a process started with its own --heap-growing-percent.
 */
import { setFlagsFromString } from 'node:v8';

export const LARGE_BODY_BYTES = 4 * 1024 * 1024;
export const LARGE_BODY_GROWING_PERCENT = 400;

let enabled = false;
let active = 0;

export function enableLargeBodyHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  enabled = !execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg));
}

/** Bodies past LARGE_BODY_BYTES that have not ended yet (tests). */
export function largeBodiesStreaming(): number {
  return active;
}

/** A body passed LARGE_BODY_BYTES; call the returned function when it ends (more calls do nothing). */
export function largeBodyStarted(): () => void {
  if (active++ === 0 && enabled) setFlagsFromString(`--heap-growing-percent=${LARGE_BODY_GROWING_PERCENT}`);
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    // 0 is V8's own setting: its dynamic factor.
    if (--active === 0 && enabled) setFlagsFromString('--heap-growing-percent=0');
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
