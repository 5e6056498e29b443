/**
 * Browser form uploads (POST Object) for tests: a SigV2 policy signed as ceph's s3-tests and
 * older SDKs sign it, and a form sent as a real multipart/form-data body by Node's fetch.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readXml } from './xml.js';

export interface FormAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** The form's fields in order, then the file part, then (ignored by S3) any fields after it. */
export interface FormParts {
  fields: Record<string, string> | [string, string][];
  file?: { content: string | Uint8Array; filename?: string; type?: string };
  after?: [string, string][];
}

export function policyOf(conditions: unknown[], expiresInSeconds = 3600): string {
  const expiration = new Date(Date.now() + expiresInSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return Buffer.from(JSON.stringify({ expiration, conditions })).toString('base64');
}

/** The SigV2 fields of a form: base64(HMAC-SHA1(secret, policy)). */
export function sigV2Fields(credentials: { accessKeyId: string; secretAccessKey: string }, policy: string): Record<string, string> {
  return { AWSAccessKeyId: credentials.accessKeyId, policy, signature: createHmac('sha1', credentials.secretAccessKey).update(policy).digest('base64') };
}

export async function postForm(url: string, parts: FormParts, init: RequestInit = {}): Promise<FormAnswer> {
  const form = new FormData();
  const fields = Array.isArray(parts.fields) ? parts.fields : Object.entries(parts.fields);
  for (const [name, value] of fields) form.append(name, value);
  if (parts.file) {
    const blob = new Blob([parts.file.content], { type: parts.file.type ?? 'application/octet-stream' });
    form.append('file', blob, parts.file.filename ?? 'file.bin');
  }
  for (const [name, value] of parts.after ?? []) form.append(name, value);
  const res = await fetch(url, { method: 'POST', body: form, redirect: 'manual', ...init });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Every element of an S3 error document, by name (Code, Message, and the error's own fields). */
export function errorDocument(text: string): Record<string, string> {
  return Object.fromEntries(readXml(text).children.map((el) => [el.name, el.text]));
}

/**
 * Sends a form as a browser frames it (each field a part, then the file part last) with the
 * file streamed from `file` (`size` bytes), never held whole; resolves with the status.
 */
export async function sendStreamedForm(url: string, fields: Record<string, string>, file: Readable, size: number): Promise<number> {
  const boundary = `----WebKitFormBoundary${randomBytes(8).toString('hex')}`;
  const head = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('')
    + `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="upload.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const body = new PassThrough();
  const feeding = (async () => {
    body.write(head);
    await pipeline(file, body, { end: false });
    body.end(tail);
  })();
  const answered = new Promise<number>((resolve, reject) => {
    const headers = { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(Buffer.byteLength(head) + size + Buffer.byteLength(tail)) };
    const req = request(url, { method: 'POST', headers }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    pipeline(body, req).catch(reject);
  });
  const [status] = await Promise.all([answered, feeding]);
  return status;
}
