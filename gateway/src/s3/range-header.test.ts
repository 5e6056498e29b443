import { describe, it, expect } from '@jest/globals';
import { parseRangeHeader } from './range-header.js';

// The cases Amazon S3 was recorded answering on a 10-byte object.
describe('Range header', () => {
  it.each([
    ['bytes=0-8', { start: 0, end: 8 }],
    ['bytes=1-', { start: 1, end: 9 }],
    ['bytes=-2', { start: 8, end: 9 }],
    ['bytes=-15', { start: 0, end: 9 }],
    ['bytes=0-100', { start: 0, end: 9 }],
  ])('%s', (header, range) => {
    expect(parseRangeHeader(header, 10)).toEqual(range);
  });

  it.each(['bytes=1-0', 'bytes=0--1', 'bytes=-1-', 'bytes=-', '0-1', 'bytes=0-1,3-4', 'items=0-1'])('ignores %s', (header) => {
    expect(parseRangeHeader(header, 10)).toBeUndefined();
  });

  it.each(['bytes=100-200', 'bytes=10-', 'bytes=-0'])('%s is not satisfiable', (header) => {
    expect(() => parseRangeHeader(header, 10)).toThrow(expect.objectContaining({ code: 'InvalidRange' }));
  });
});
