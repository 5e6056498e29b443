// Every request the console makes: S3 REST, the KMS and CloudTrail JSON protocols, signed in
// the browser with the user's own key (aws4fetch, SigV4 over WebCrypto), so the gateway
// decides what this user may see exactly as it does for any other client. The secret lives
// only in this object, in memory, for as long as the page is open.
import { AwsClient } from 'aws4fetch';

export interface Login {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** A refused or failed call, with the AWS error code the service answered. */
export class ApiError extends Error {
  constructor(readonly code: string, message: string, readonly status: number) {
    super(message);
  }
}

const JSON_TYPE = 'application/x-amz-json-1.1';

export function xmlOf(text: string): Document {
  return new DOMParser().parseFromString(text, 'application/xml');
}

/** The text of the first descendant element named `name`. */
export function textOf(node: ParentNode, name: string): string | undefined {
  return node.querySelector(name)?.textContent ?? undefined;
}

export function childrenNamed(node: ParentNode, name: string): Element[] {
  return Array.from(node.querySelectorAll(name));
}

async function s3Error(res: Response): Promise<ApiError> {
  const text = await res.text();
  const doc = text ? xmlOf(text) : undefined;
  const code = (doc && textOf(doc, 'Code')) ?? res.headers.get('x-amz-error-code') ?? `HTTP ${res.status}`;
  return new ApiError(code, (doc && textOf(doc, 'Message')) ?? res.statusText, res.status);
}

export class Session {
  readonly #client: AwsClient;
  readonly login: Login;
  readonly origin = location.origin;

  constructor(login: Login) {
    this.login = login;
    this.#client = new AwsClient({ accessKeyId: login.accessKeyId, secretAccessKey: login.secretAccessKey, region: login.region, retries: 0 });
  }

  /** A signed S3 request; `path` is already percent-encoded. Throws ApiError unless 2xx. */
  async s3(method: string, path: string, query = ''): Promise<Response> {
    const url = `${this.origin}${path}${query ? `?${query}` : ''}`;
    // no-store: a cached GET would show an object the KMS now refuses to open (or hide a new one).
    const res = await this.#client.fetch(url, { method, cache: 'no-store', aws: { service: 's3', region: this.login.region } });
    if (!res.ok) throw await s3Error(res);
    return res;
  }

  async s3Xml(path: string, query = ''): Promise<Document> {
    return xmlOf(await (await this.s3('GET', path, query)).text());
  }

  async #json<T>(service: string, target: string, input: object): Promise<T> {
    const res = await this.#client.fetch(`${this.origin}/`, {
      method: 'POST',
      headers: { 'Content-Type': JSON_TYPE, 'X-Amz-Target': target },
      body: JSON.stringify(input),
      aws: { service, region: this.login.region },
    });
    const text = await res.text();
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    if (!res.ok) {
      const type = String(res.headers.get('x-amzn-errortype') ?? body.__type ?? `HTTP ${res.status}`);
      throw new ApiError(type.replace(/^.*#/, '').replace(/:.*$/, ''), String(body.message ?? body.Message ?? ''), res.status);
    }
    return body as T;
  }

  kms<T>(operation: string, input: object = {}): Promise<T> {
    return this.#json<T>('kms', `TrentService.${operation}`, input);
  }

  cloudTrail<T>(operation: string, input: object = {}): Promise<T> {
    return this.#json<T>('cloudtrail', `CloudTrail_20131101.${operation}`, input);
  }

  /** HMAC-SHA256 signing key of SigV4 for `date` (YYYYMMDD) and S3, as a POST policy needs. */
  async signPolicy(policyBase64: string, date: string): Promise<string> {
    let key: ArrayBuffer = new TextEncoder().encode(`AWS4${this.login.secretAccessKey}`).buffer as ArrayBuffer;
    for (const part of [date, this.login.region, 's3', 'aws4_request', policyBase64]) key = await hmac(key, part);
    return Array.from(new Uint8Array(key), (b) => b.toString(16).padStart(2, '0')).join('');
  }
}

async function hmac(key: ArrayBuffer, data: string): Promise<ArrayBuffer> {
  const imported = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return crypto.subtle.sign('HMAC', imported, new TextEncoder().encode(data));
}

/** `bucket/key` as a path, each segment percent-encoded. */
export function objectPath(bucket: string, key?: string): string {
  return `/${encodeURIComponent(bucket)}${key === undefined ? '' : `/${key.split('/').map(encodeURIComponent).join('/')}`}`;
}
