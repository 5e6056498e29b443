// Imported by the CLI, before the gateway starts. After each full GC, V8 sets the old
// generation's next limit at its live size times a growing factor. The gateway's heap is
// small (about 12 MB live) while a large body passes gigabytes of short-lived buffers
// through it, and with the factor V8 picks for that, it fell, after the first large body or
// two, into starting a full mark-compact about every 16 MiB: 50-70 per GiB of a PUT or GET,
// 0.3 s of pauses on the main thread plus the marking threads' CPU, and 20-30% of the
// throughput. A factor of 5 (heap-growing-percent 400) ended that (0-2 per GiB) with no
// higher peak RSS. A value given on node's command line is kept.
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 400;

if (!process.execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
