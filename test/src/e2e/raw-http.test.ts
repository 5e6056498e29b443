/**
 * Raw HTTP edge cases through supertest: what S3 answers to anonymous, badly signed, skewed
 * and mismatched requests, and that a rejected upload leaves nothing behind.
 */
import { describe, expect, it } from '@jest/globals';
import { crc32 } from 'node:zlib';
import request from 'supertest';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { errorOf, useGatewayWithBucket } from '../harness.js';
import { seedSignatureOf, sha256Hex, signHeaders, signedChunkedBody } from '../signing.js';
import { s3ErrorOf } from '../xml.js';

const fx = useGatewayWithBucket('raw');

function errorCode(text: string): string | undefined {
  return s3ErrorOf(text).code;
}

async function objectExists(key: string): Promise<boolean> {
  const err = await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: key }))).catch(() => undefined);
  return err === undefined;
}

describe('authentication errors', () => {
  it('refuses anonymous requests with AccessDenied, a request id and a RequestId', async () => {
    const res = await request(fx.gw.endpoint).get(`/${fx.bucket}/x`);
    expect(res.status).toBe(403);
    expect(errorCode(res.text)).toBe('AccessDenied');
    const id = res.headers['x-amz-request-id'];
    expect(id).toMatch(/^[0-9A-F]{16}$/);
    expect(res.text).toContain(`<RequestId>${id}</RequestId>`);
    expect(res.headers['content-type']).toBe('application/xml');
  });

  it('SignatureDoesNotMatch for a wrong secret, InvalidAccessKeyId for an unknown key', async () => {
    const path = `/${fx.bucket}/x`;
    const wrong = await signHeaders(fx.gw.endpoint, { accessKeyId: fx.gw.credentials.accessKeyId, secretAccessKey: 'nope' }, fx.gw.region, { method: 'GET', path, headers: {} }, { payloadHash: sha256Hex('') });
    const res = await request(fx.gw.endpoint).get(path).set(wrong);
    expect(res.status).toBe(403);
    expect(errorCode(res.text)).toBe('SignatureDoesNotMatch');
    expect(res.text).toContain('<StringToSign>');
    const unknown = await signHeaders(fx.gw.endpoint, { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'nope' }, fx.gw.region, { method: 'GET', path, headers: {} }, { payloadHash: sha256Hex('') });
    const res2 = await request(fx.gw.endpoint).get(path).set(unknown);
    expect(errorCode(res2.text)).toBe('InvalidAccessKeyId');
  });

  it('RequestTimeTooSkewed beyond 15 minutes', async () => {
    const path = `/${fx.bucket}/x`;
    const headers = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method: 'GET', path, headers: {} }, { payloadHash: sha256Hex(''), signingDate: new Date(Date.now() - 16 * 60_000) });
    const res = await request(fx.gw.endpoint).get(path).set(headers);
    expect(res.status).toBe(403);
    expect(errorCode(res.text)).toBe('RequestTimeTooSkewed');
    expect(res.text).toContain('<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>');
  });
});

describe('presigned URLs', () => {
  it('work past the 15-minute skew window while X-Amz-Expires allows, and not after', async () => {
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'shared', Body: 'presigned body' }));
    const twentyMinutesAgo = new Date(Date.now() - 20 * 60_000);
    const valid = await getSignedUrl(fx.gw.s3, new GetObjectCommand({ Bucket: fx.bucket, Key: 'shared' }), { expiresIn: 3600, signingDate: twentyMinutesAgo });
    const ok = await fetch(valid);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('presigned body');
    const expired = await getSignedUrl(fx.gw.s3, new GetObjectCommand({ Bucket: fx.bucket, Key: 'shared' }), { expiresIn: 600, signingDate: twentyMinutesAgo });
    const refused = await fetch(expired);
    expect(refused.status).toBe(403);
    const text = await refused.text();
    expect(errorCode(text)).toBe('AccessDenied');
    expect(text).toContain('Request has expired');
  });
});

describe('payload verification', () => {
  it('XAmzContentSHA256Mismatch when the body differs from the signed hash, and no object', async () => {
    const path = `/${fx.bucket}/mismatch`;
    const headers = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method: 'PUT', path, headers: { 'content-length': '5' } }, { payloadHash: sha256Hex('hello') });
    const res = await request(fx.gw.endpoint).put(path).set(headers).send('jello');
    expect(res.status).toBe(400);
    expect(errorCode(res.text)).toBe('XAmzContentSHA256Mismatch');
    expect(await objectExists('mismatch')).toBe(false);
  });

  it('accepts a signed aws-chunked upload and refuses one with a forged chunk', async () => {
    const chunks = [Buffer.alloc(65536, 1), Buffer.alloc(1000, 2)];
    const decoded = Buffer.concat(chunks);
    for (const forge of [false, true]) {
      const path = `/${fx.bucket}/chunked-${forge}`;
      const signingDate = new Date(Math.floor(Date.now() / 1000) * 1000);
      const amzDate = signingDate.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
      const base = {
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': String(decoded.length),
        'x-amz-server-side-encryption': 'aws:kms',
      };
      const signedHeaders = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method: 'PUT', path, headers: base }, { payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', signingDate });
      const body = signedChunkedBody(chunks, { secret: fx.gw.credentials.secretAccessKey, amzDate, region: fx.gw.region, seedSignature: seedSignatureOf(signedHeaders.authorization!) });
      if (forge) body[body.length - 100] ^= 1; // a byte of the second chunk's data
      const res = await request(fx.gw.endpoint).put(path).set({ ...signedHeaders, 'content-length': String(body.length) }).send(body);
      if (forge) {
        expect(res.status).toBe(403);
        expect(errorCode(res.text)).toBe('SignatureDoesNotMatch');
        expect(await objectExists(`chunked-${forge}`)).toBe(false);
      } else {
        expect(res.status).toBe(200);
        expect(res.headers['x-amz-server-side-encryption']).toBe('aws:kms');
      }
    }
  });

  it('accepts a signed-trailer upload whose CRC32 matches, and refuses one whose CRC32 does not', async () => {
    const chunks = [Buffer.alloc(70000, 3), Buffer.alloc(123, 4)];
    const decoded = Buffer.concat(chunks);
    const good = Buffer.alloc(4);
    good.writeUInt32BE(crc32(decoded));
    for (const [name, checksum, status] of [['trailer-good', good.toString('base64'), 200], ['trailer-bad', 'AAAAAA==', 400]] as const) {
      const path = `/${fx.bucket}/${name}`;
      const signingDate = new Date(Math.floor(Date.now() / 1000) * 1000);
      const amzDate = signingDate.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
      const base = {
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': String(decoded.length),
        'x-amz-trailer': 'x-amz-checksum-crc32',
        'x-amz-server-side-encryption': 'aws:kms',
      };
      const signed = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method: 'PUT', path, headers: base }, { payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', signingDate });
      const body = signedChunkedBody(chunks, { secret: fx.gw.credentials.secretAccessKey, amzDate, region: fx.gw.region, seedSignature: seedSignatureOf(signed.authorization!) }, { name: 'x-amz-checksum-crc32', value: checksum });
      const res = await request(fx.gw.endpoint).put(path).set({ ...signed, 'content-length': String(body.length) }).send(body);
      expect(res.status).toBe(status);
      if (status === 200) expect(res.headers['x-amz-checksum-crc32']).toBe(checksum);
      else expect(errorCode(res.text)).toBe('BadDigest');
      expect(await objectExists(name)).toBe(status === 200);
    }
  });

  it('BadDigest for a wrong Content-MD5, InvalidDigest for a malformed one', async () => {
    const path = `/${fx.bucket}/md5`;
    for (const [md5, code] of [['1B2M2Y8AsgTpgAmY7PhCfg==', 'BadDigest'], ['not-md5', 'InvalidDigest']] as const) {
      const headers = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method: 'PUT', path, headers: { 'content-md5': md5, 'content-length': '5' } }, { payloadHash: 'UNSIGNED-PAYLOAD' });
      const res = await request(fx.gw.endpoint).put(path).set(headers).send('hello');
      expect(res.status).toBe(400);
      expect(errorCode(res.text)).toBe(code);
    }
    expect(await objectExists('md5')).toBe(false);
  });
});

describe('routing', () => {
  it('answers NotImplemented for sub-resources it does not serve, never treating them as a plain PUT', async () => {
    const path = `/${fx.bucket}/obj`;
    const headers = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method: 'PUT', path, query: { tagging: '' }, headers: { 'content-length': '2' } }, { payloadHash: sha256Hex('<>') });
    const res = await request(fx.gw.endpoint).put(`${path}?tagging`).set(headers).send('<>');
    expect(res.status).toBe(501);
    expect(errorCode(res.text)).toBe('NotImplemented');
    expect(await objectExists('obj')).toBe(false);
  });
});
