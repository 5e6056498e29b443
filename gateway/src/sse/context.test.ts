import { describe, expect, it } from '@jest/globals';
import { S3Error } from '../http/errors.js';
import { canonicalJsonString } from './canonical-json.js';
import {
  CONTEXT_HEADER, assertContextNamesObject, buildEncryptionContext, canonicalEncryptionContext, parseContextHeader,
} from './context.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const MESSAGE = "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map";

function s3Error(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(S3Error);
    return err as S3Error;
  }
  throw new Error('expected an S3Error');
}

describe('encryption context', () => {
  it('pins the canonical bytes: code-point key order, no whitespace, JSON escapes, raw UTF-8', () => {
    const context = { 'é': '1', '\u{1F600}': 'astral', '\uFFFD': 'bmp', b: 'q"uote\\', a: 'line\nbreak', 'aws:s3:arn': 'arn:aws:s3:::b/k', Z: 'ü' };
    const bytes = canonicalEncryptionContext(context);
    // Code points: Z(5a) a(61) aws…(61 77) b(62) é(e9) U+FFFD U+1F600 — UTF-16 order would put the emoji before U+FFFD.
    expect(bytes.toString('hex')).toBe(Buffer.from(
      '{"Z":"ü","a":"line\\nbreak","aws:s3:arn":"arn:aws:s3:::b/k","b":"q\\"uote\\\\","é":"1","\uFFFD":"bmp","\u{1F600}":"astral"}',
      'utf8',
    ).toString('hex'));
    expect(bytes.subarray(0, 12).toString('hex')).toBe('7b225a223a22c3bc222c2261');
    expect(canonicalJsonString({})).toBe('{}');
  });

  it('parses a valid header and adds the object ARN', () => {
    const { context, canonical } = buildEncryptionContext({ header: b64('{"project": "x", "team":"y"}'), bucket: 'bkt', key: 'a/b.txt' });
    expect(context).toEqual({ project: 'x', team: 'y', 'aws:s3:arn': 'arn:aws:s3:::bkt/a/b.txt' });
    expect(canonical.toString('utf8')).toBe('{"aws:s3:arn":"arn:aws:s3:::bkt/a/b.txt","project":"x","team":"y"}');
    expect(buildEncryptionContext({ header: undefined, bucket: 'bkt', key: 'k' }).canonical.toString()).toBe('{"aws:s3:arn":"arn:aws:s3:::bkt/k"}');
  });

  it('accepts a client aws:s3:arn only when it names the object', () => {
    const same = buildEncryptionContext({ header: b64('{"aws:s3:arn":"arn:aws:s3:::bkt/k"}'), bucket: 'bkt', key: 'k' });
    expect(same.context).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::bkt/k' });
    const err = s3Error(() => buildEncryptionContext({ header: b64('{"aws:s3:arn":"arn:aws:s3:::bkt/other"}'), bucket: 'bkt', key: 'k' }));
    expect(err.code).toBe('InvalidArgument');
    expect(err.fields.ArgumentName).toBe(CONTEXT_HEADER);
  });

  it('refuses malformed headers with AWS’s message', () => {
    const bad = [
      '', 'not base64!', b64('{"a":"b"}').slice(0, -1), b64('[]'), b64('null'), b64('"s"'), b64('{"a":1}'), b64('{"a":{"b":"c"}}'),
      b64('{"a":'), Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'), b64('{"\\ud800":"x"}'),
    ];
    for (const value of bad) {
      const err = s3Error(() => parseContextHeader(value));
      expect(err.code).toBe('InvalidArgument');
      expect(err.status).toBe(400);
      expect(err.message).toBe(MESSAGE);
      expect(err.fields).toEqual({ ArgumentName: CONTEXT_HEADER, ArgumentValue: value });
    }
  });

  it('checks on read that the stored context names the requested object', () => {
    const { context } = buildEncryptionContext({ header: undefined, bucket: 'bkt', key: 'k' });
    expect(() => assertContextNamesObject(context, 'bkt', 'k')).not.toThrow();
    expect(s3Error(() => assertContextNamesObject(context, 'bkt', 'k2')).code).toBe('AccessDenied');
  });
});
