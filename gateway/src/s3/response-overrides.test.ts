import { describe, expect, it } from '@jest/globals';
import type { VerifiedAuth } from '../auth/index.js';
import { responseOverrides } from './response-overrides.js';

const signed: VerifiedAuth = { accessKeyId: 'AKID', service: 's3', signatureVersion: 4, payload: { kind: 'unsigned' }, presigned: true };

function s3Error(status: number, code: string, message: string): unknown {
  return expect.objectContaining({ name: 'S3Error', status, code, message });
}

describe('response-* overrides', () => {
  it('map each parameter to its header, and ignore other parameters', () => {
    const query = new URLSearchParams({
      'response-content-type': 'text/csv',
      'response-content-language': 'fr',
      'response-expires': 'Thu, 01 Jan 2026 00:00:00 GMT',
      'response-cache-control': 'no-cache',
      'response-content-disposition': 'attachment; filename="r\u00e9sum\u00e9.pdf"',
      'response-content-encoding': 'identity',
      'response-other': 'x',
    });
    expect(responseOverrides(query, signed)).toEqual({
      'Content-Type': 'text/csv',
      'Content-Language': 'fr',
      Expires: 'Thu, 01 Jan 2026 00:00:00 GMT',
      'Cache-Control': 'no-cache',
      'Content-Disposition': 'attachment; filename="r\u00e9sum\u00e9.pdf"',
      'Content-Encoding': 'identity',
    });
    expect(responseOverrides(new URLSearchParams(), undefined)).toEqual({});
  });

  it('are refused on anonymous requests', () => {
    expect(() => responseOverrides(new URLSearchParams({ 'response-content-type': 'a/b' }), undefined))
      .toThrow(s3Error(400, 'InvalidRequest', 'Request specific response headers cannot be used for anonymous GET requests.'));
  });

  it('refuse values that are not ISO-8859-1 or cannot be sent in a header', () => {
    for (const value of ['\u20ac', 'snow \u2603', 'a\r\nSet-Cookie: x=1']) {
      expect(() => responseOverrides(new URLSearchParams({ 'response-content-disposition': value }), signed))
        .toThrow(s3Error(400, 'InvalidArgument', 'Header value cannot be represented using ISO-8859-1.'));
    }
  });
});
