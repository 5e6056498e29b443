import { describe, expect, it } from '@jest/globals';
import { createLogger } from './logger.js';
import { REDACTED } from './redact.js';

const AKID = 'AKIALOGTEST000000001';
const SECRET = 'logTestSecretKey/abcdefghijklmnopqrstuv';
const SIG = 'a'.repeat(24) + 'f00dfeed' + 'b'.repeat(32);
const TOKEN = 'FwoGZXIvYXdzELogTestSessionToken';

function captured(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger('debug', {}, (l) => lines.push(l)) };
}

function expectClean(lines: string[]): void {
  const all = lines.join('\n');
  for (const secret of [AKID, SECRET, SIG, TOKEN, 'f00dfeed']) expect(all).not.toContain(secret);
}

describe('logger redaction', () => {
  it('strips presigned query parameters from URLs in any field or the message', () => {
    const { lines, log } = captured();
    const url = `/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${AKID}%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20250101T000000Z&X-Amz-Expires=60&X-Amz-Security-Token=${TOKEN}&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIG}`;
    log.info(`GET ${url}`, { url, nested: { list: [url] } });
    log.info('v2', { url: `/b/k?AWSAccessKeyId=${AKID}&Expires=1&Signature=${encodeURIComponent(SIG + '+/=')}` });
    expectClean(lines);
    const first = JSON.parse(lines[0]!) as { url: string };
    // What is not secret stays, so the line is still useful.
    expect(first.url).toContain('X-Amz-Date=20250101T000000Z');
    expect(first.url).toContain(`X-Amz-Signature=${REDACTED}`);
  });

  it('strips Authorization headers by name and SigV4/SigV2 values wherever they appear', () => {
    const { lines, log } = captured();
    const v4 = `AWS4-HMAC-SHA256 Credential=${AKID}/20250101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=${SIG}`;
    log.debug('request received', { headers: { Authorization: v4, 'x-amz-security-token': TOKEN, host: 'localhost' } });
    log.error('internal error', { error: new Error(`could not parse ${v4}`) });
    log.error('v2', { reason: `header was AWS ${AKID}:${Buffer.from(SIG).toString('base64')}` });
    log.debug('chunk', { line: `10000;chunk-signature=${SIG}\r\n` });
    log.debug('error details', { StringToSign: `AWS4-HMAC-SHA256-PAYLOAD\n20250101T000000Z\n20250101/us-east-1/s3/aws4_request\n${SIG}\n${'e'.repeat(64)}\n${'c'.repeat(64)}` });
    expectClean(lines);
    expect(JSON.parse(lines[0]!).headers.host).toBe('localhost');
  });

  it('strips the fields of a signature mismatch and the header lines of a canonical request', () => {
    const { lines, log } = captured();
    const canonicalRequest = [
      'GET',
      '/b/k',
      `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${AKID}%2F20250101%2Fus-east-1%2Fs3%2Faws4_request`,
      'host:localhost',
      `x-amz-security-token:${TOKEN}`,
      '',
      'host;x-amz-security-token',
      'UNSIGNED-PAYLOAD',
    ].join('\n');
    log.debug('error details', {
      AWSAccessKeyId: AKID,
      SignatureProvided: SIG,
      CanonicalRequest: canonicalRequest,
      CanonicalRequestBytes: Buffer.from(canonicalRequest).toString('hex'),
      secretAccessKey: SECRET,
      'x-amz-server-side-encryption-customer-key': SECRET,
    });
    expectClean(lines);
    expect(lines.join('\n')).not.toContain(Buffer.from(AKID).toString('hex'));
    expect(JSON.parse(lines[0]!).CanonicalRequest).toContain('host:localhost');
  });

  it('redacts the fields a child logger carries', () => {
    const { lines, log } = captured();
    log.child({ authorization: `AWS ${AKID}:x` }).info('hello');
    expectClean(lines);
  });
});
