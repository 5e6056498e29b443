import { describe, expect, it } from '@jest/globals';
import { S3Error } from '../http/errors.js';
import { parseXml } from '../http/xml-parse.js';
import { corsConfiguration, corsResponseHeaders, corsRulesOf, matchCorsRule, requestedHeaders, type CorsRule } from './cors.js';

function rulesOf(xml: string): CorsRule[] {
  return corsRulesOf(parseXml(Buffer.from(`<CORSConfiguration>${xml}</CORSConfiguration>`), 'CORSConfiguration', corsConfiguration));
}

function codeOf(xml: string): [string, string] {
  try {
    rulesOf(xml);
  } catch (err) {
    if (err instanceof S3Error) return [err.code, err.message];
    throw err;
  }
  throw new Error('expected the document to be refused');
}

const upload: CorsRule = {
  allowedMethods: ['PUT', 'GET'],
  allowedOrigins: ['http://*.example.test', 'http://127.0.0.1:8080'],
  allowedHeaders: ['Content-Type', 'x-amz-server-side-encryption*'],
  exposeHeaders: ['ETag', 'x-amz-server-side-encryption'],
  maxAgeSeconds: 600,
};
const anyone: CorsRule = { allowedMethods: ['GET'], allowedOrigins: ['*'], allowedHeaders: [], exposeHeaders: [] };

describe('CORS documents', () => {
  it('reads every member, in any order', () => {
    expect(rulesOf(
      '<CORSRule><AllowedOrigin>http://a</AllowedOrigin><ID>one</ID><AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader>' +
        '<ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin></AllowedOrigin></CORSRule>',
    )).toEqual([
      { id: 'one', allowedMethods: ['PUT'], allowedOrigins: ['http://a'], allowedHeaders: ['*'], exposeHeaders: ['ETag'], maxAgeSeconds: 3000 },
      { allowedMethods: ['GET'], allowedOrigins: [''], allowedHeaders: [], exposeHeaders: [] },
    ]);
  });

  it('refuses what S3 refuses, with its codes', () => {
    expect(codeOf('<CORSRule><AllowedMethod>MYMETHOD</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule>')).toEqual([
      'InvalidRequest', 'Found unsupported HTTP method in CORS config. Unsupported method is MYMETHOD',
    ]);
    expect(codeOf('<CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>http://*.*.test</AllowedOrigin></CORSRule>')).toEqual([
      'InvalidRequest', 'AllowedOrigin "http://*.*.test" can not have more than one wildcard.',
    ]);
    expect(codeOf('<CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin><AllowedHeader>x-*-*</AllowedHeader></CORSRule>')).toEqual([
      'InvalidRequest', 'AllowedHeader "x-*-*" can not have more than one wildcard.',
    ]);
    for (const bad of ['', '<CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule>', '<CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule>',
      '<CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin><MaxAgeSeconds>soon</MaxAgeSeconds></CORSRule>',
      '<CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin><Other/></CORSRule>',
      '<CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule>'.repeat(101)]) {
      expect(codeOf(bad)[0]).toBe('MalformedXML');
    }
  });
});

describe('CORS matching', () => {
  it('matches origin (one wildcard), method and every requested header, first rule first', () => {
    const rules = [upload, anyone];
    const put = { origin: 'http://app.example.test', method: 'PUT', requestHeaders: requestedHeaders('Content-Type, X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id') };
    expect(matchCorsRule(rules, put)).toBe(upload);
    expect(matchCorsRule(rules, { ...put, origin: 'http://example.test' })).toBeUndefined();
    expect(matchCorsRule(rules, { ...put, requestHeaders: ['x-amz-meta-a'] })).toBeUndefined();
    expect(matchCorsRule(rules, { ...put, method: 'DELETE' })).toBeUndefined();
    expect(matchCorsRule(rules, { origin: 'http://elsewhere', method: 'GET', requestHeaders: [] })).toBe(anyone);
    expect(matchCorsRule(rules, { origin: 'http://elsewhere', method: 'GET', requestHeaders: ['range'] })).toBeUndefined();
  });

  it('answers the headers S3 sends: the origin and credentials, or * without them', () => {
    const put = { origin: 'http://127.0.0.1:8080', method: 'PUT', requestHeaders: ['content-type', 'x-amz-server-side-encryption'] };
    expect(corsResponseHeaders(upload, put)).toEqual({
      'Access-Control-Allow-Origin': 'http://127.0.0.1:8080',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Methods': 'PUT, GET',
      'Access-Control-Allow-Headers': 'content-type, x-amz-server-side-encryption',
      'Access-Control-Expose-Headers': 'ETag, x-amz-server-side-encryption',
      'Access-Control-Max-Age': '600',
      Vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
    expect(corsResponseHeaders(anyone, { origin: 'http://x', method: 'GET', requestHeaders: [] })).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET',
      Vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
  });
});
