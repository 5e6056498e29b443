import { describe, expect, it } from '@jest/globals';
import { S3Error } from '../http/errors.js';
import { checkWriteConditions, parseWriteConditions, readConditionResult } from './conditionals.js';

const version = { etag: '0123456789abcdef0123456789abcdef', lastModified: '2026-03-01T12:00:00.500Z' };
const QUOTED = `"${version.etag}"`;
const LAST_MODIFIED = 'Sun, 01 Mar 2026 12:00:00 GMT';
const EARLIER = 'Sat, 28 Feb 2026 12:00:00 GMT';
const LATER = 'Mon, 02 Mar 2026 12:00:00 GMT';
const NOW = new Date('2026-06-01T00:00:00Z');

/** 200, 304, or the failed condition of a 412. */
function outcome(headers: Record<string, string>): string {
  try {
    return readConditionResult(headers, version, NOW) ? '304' : '200';
  } catch (err) {
    if (!(err instanceof S3Error) || err.code !== 'PreconditionFailed') throw err;
    expect(err.status).toBe(412);
    return `412 ${err.fields.Condition}`;
  }
}

describe('read conditions', () => {
  it.each([
    [{ 'if-match': QUOTED }, '200'],
    [{ 'if-match': version.etag }, '200'], // quotes optional
    [{ 'if-match': '*' }, '200'],
    [{ 'if-match': `"other", ${QUOTED}` }, '200'],
    [{ 'if-match': '"other"' }, '412 If-Match'],
    [{ 'if-unmodified-since': LAST_MODIFIED }, '200'],
    [{ 'if-unmodified-since': EARLIER }, '412 If-Unmodified-Since'],
    [{ 'if-unmodified-since': 'not a date' }, '200'],
    [{ 'if-none-match': QUOTED }, '304'],
    [{ 'if-none-match': version.etag }, '304'],
    [{ 'if-none-match': '*' }, '304'],
    [{ 'if-none-match': '"other"' }, '200'],
    [{ 'if-modified-since': LAST_MODIFIED }, '304'], // the Last-Modified a client got, echoed
    [{ 'if-modified-since': LATER }, '304'],
    [{ 'if-modified-since': EARLIER }, '200'],
    [{ 'if-modified-since': 'Tue, 01 Jun 2027 00:00:00 GMT' }, '200'], // in the future: ignored
    // S3's precedence
    [{ 'if-match': QUOTED, 'if-unmodified-since': EARLIER }, '200'],
    [{ 'if-none-match': QUOTED, 'if-modified-since': EARLIER }, '304'],
    [{ 'if-none-match': '"other"', 'if-modified-since': LATER }, '200'],
    [{ 'if-match': '"other"', 'if-none-match': QUOTED }, '412 If-Match'],
    [{ 'if-unmodified-since': EARLIER, 'if-none-match': QUOTED }, '412 If-Unmodified-Since'],
    [{ 'if-match': QUOTED, 'if-none-match': QUOTED }, '304'],
  ])('%j -> %s', (headers, expected) => {
    expect(outcome(headers)).toBe(expected);
  });

  it('a 304 carries the ETag and Last-Modified, and no body', () => {
    expect(readConditionResult({ 'if-none-match': '*' }, version, NOW)).toEqual({
      status: 304,
      headers: { ETag: QUOTED, 'Last-Modified': LAST_MODIFIED },
    });
  });
});

describe('write conditions', () => {
  function code(fn: () => unknown): string {
    try {
      fn();
      return 'ok';
    } catch (err) {
      if (!(err instanceof S3Error)) throw err;
      return `${err.status} ${err.code} ${Object.values(err.fields).join(' ')}`.trim();
    }
  }

  it('accept only * for If-None-Match', () => {
    expect(parseWriteConditions({})).toBeUndefined();
    expect(parseWriteConditions({ 'if-none-match': '*' })).toEqual({ createOnly: true, ifMatch: undefined });
    expect(code(() => parseWriteConditions({ 'if-none-match': QUOTED }))).toBe('501 NotImplemented If-None-Match');
  });

  it('If-None-Match: * fails on an existing key, If-Match on another ETag or a missing key', () => {
    const createOnly = parseWriteConditions({ 'if-none-match': '*' })!;
    expect(code(() => checkWriteConditions(createOnly, null, 'k'))).toBe('ok');
    expect(code(() => checkWriteConditions(createOnly, version, 'k'))).toBe('412 PreconditionFailed If-None-Match');
    const ifMatch = parseWriteConditions({ 'if-match': version.etag })!;
    expect(code(() => checkWriteConditions(ifMatch, version, 'k'))).toBe('ok');
    expect(code(() => checkWriteConditions(ifMatch, { etag: 'f'.repeat(32) }, 'k'))).toBe('412 PreconditionFailed If-Match');
    expect(code(() => checkWriteConditions(ifMatch, null, 'k'))).toBe('404 NoSuchKey k');
  });
});
