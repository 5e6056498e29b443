/**
 * The Range header as Amazon S3 reads it: one `bytes=` range; a malformed or multi-range
 * header is ignored (whole object, 200); a start at or past the end is 416 InvalidRange.
 */
import { S3Error } from '../http/errors.js';

export interface ByteRange {
  start: number;
  end: number;
}

export function parseRangeHeader(value: string | undefined, size: number): ByteRange | undefined {
  if (value === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const unsatisfiable = (): S3Error => new S3Error('InvalidRange', undefined, { ActualObjectSize: size, RangeRequested: value });
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  if (match[2] !== '' && Number(match[2]) < start) return undefined;
  if (start >= size) throw unsatisfiable();
  return { start, end: match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1) };
}
