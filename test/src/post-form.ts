/**
 * Browser form uploads (POST Object) for tests: a SigV2 policy signed as ceph's s3-tests and
 * older SDKs sign it, and a form sent as a real multipart/form-data body by Node's fetch.
 */
import { createHmac } from 'node:crypto';
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
