/**
 * A SigV4 S3 client for the peer bench that costs as little CPU per request as it can, so the
 * figures measure the servers and not the client (which shares their two cores): one keep-alive
 * agent, the signing key derived once per day, UNSIGNED-PAYLOAD with plain bodies (no
 * aws-chunked framing, no checksums), keys restricted to characters that need no escaping.
 */
import { createHash, createHmac } from 'node:crypto';
import { Agent, request, type IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface LiteTarget {
  readonly endpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly region: string;
  /** Headers every PUT carries (the SSE choice). */
  readonly putHeaders: Readonly<Record<string, string>>;
}

const SAFE_PATH = /^\/[A-Za-z0-9._\-/]+$/;

export class LiteClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;
  private keyDate = '';
  private signingKey: Buffer = Buffer.alloc(0);

  constructor(private readonly target: LiteTarget, sockets: number) {
    const url = new URL(target.endpoint);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  private keyFor(date: string): Buffer {
    if (date !== this.keyDate) {
      const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
      const kDate = hmac(`AWS4${this.target.credentials.secretAccessKey}`, date);
      this.signingKey = hmac(hmac(hmac(kDate, this.target.region), 's3'), 'aws4_request');
      this.keyDate = date;
    }
    return this.signingKey;
  }

  /** Headers for `method path` with every header in `extra` signed. */
  private sign(method: string, path: string, query: string, extra: Record<string, string>): Record<string, string> {
    if (!SAFE_PATH.test(path)) throw new RangeError(`path ${path} needs escaping`);
    const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const date = amzDate.slice(0, 8);
    const headers: Record<string, string> = { ...extra, host: `${this.host}:${this.port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-date': amzDate };
    const names = Object.keys(headers).map((n) => n.toLowerCase()).sort();
    const lower = Object.fromEntries(Object.entries(headers).map(([n, v]) => [n.toLowerCase(), v.trim()]));
    const signedHeaders = names.join(';');
    const canonical = [method, path, query, ...names.map((n) => `${n}:${lower[n]}`), '', signedHeaders, 'UNSIGNED-PAYLOAD'].join('\n');
    const scope = `${date}/${this.target.region}/s3/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
    const signature = createHmac('sha256', this.keyFor(date)).update(toSign).digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.target.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  }

  private send(method: string, path: string, headers: Record<string, string>, body: Buffer | Readable | undefined, onResponse: (res: IncomingMessage) => Promise<number>, ok = 200): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        if (res.statusCode !== ok) {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => reject(new Error(`${method} ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`)));
          return;
        }
        onResponse(res).then(resolve, reject);
      });
      req.on('error', reject);
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else pipeline(body, req).catch(reject);
    });
  }

  /** PUT of a buffer or of a stream of `length` bytes. */
  put(path: string, body: Buffer | Readable, length: number): Promise<number> {
    const headers = this.sign('PUT', path, '', { 'content-length': String(length), ...this.target.putHeaders });
    return this.send('PUT', path, headers, body, async (res) => {
      res.resume();
      await new Promise((r) => res.once('end', r));
      return length;
    });
  }

  /** GET of a whole object; resolves with the bytes received (counted, never kept). */
  get(path: string): Promise<number> {
    return this.send('GET', path, this.sign('GET', path, '', {}), undefined, async (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      await new Promise((r, j) => res.once('end', r).once('error', j));
      return bytes;
    });
  }

  /** DELETE of one key. */
  delete(path: string): Promise<number> {
    return this.send('DELETE', path, this.sign('DELETE', path, '', {}), undefined, async (res) => {
      res.resume();
      await new Promise((r) => res.once('end', r));
      return 0;
    }, 204);
  }

  /**
   * One ListObjectsV2 page of `bucket` under `prefix`, after `token` if given; resolves with
   * the XML as text (the caller picks out what it needs, with no XML parser's cost).
   */
  listPage(bucket: string, prefix: string, token?: string): Promise<string> {
    // Parameters sorted by name, values escaped as SigV4's canonical query wants them.
    const query = `${token === undefined ? '' : `continuation-token=${encodeURIComponent(token)}&`}list-type=2&prefix=${encodeURIComponent(prefix)}`;
    const path = `/${bucket}`;
    let text = '';
    return this.send('GET', `${path}?${query}`, this.sign('GET', path, query, {}), undefined, async (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      await new Promise((r, j) => res.once('end', r).once('error', j));
      return text.length;
    }).then(() => text);
  }

  destroy(): void {
    this.agent.destroy();
  }
}
