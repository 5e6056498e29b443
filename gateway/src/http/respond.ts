/**
 * Writes responses: the common S3 headers, XML documents and the S3 error document.
 */
import type { ServerResponse } from 'node:http';
import type { S3Error } from './errors.js';
import { toXml, type XmlObject } from './xml.js';

export function commonHeaders(res: ServerResponse, requestId: string, hostId: string): void {
  res.setHeader('x-amz-request-id', requestId);
  res.setHeader('x-amz-id-2', hostId);
  res.setHeader('Server', 'AmazonS3');
}

export function sendXml(res: ServerResponse, status: number, root: string, body: XmlObject, headers: Record<string, string> = {}): void {
  // Encoded once: a listing's document is one long string of many joined pieces, and
  // measuring it, then writing it, would flatten and encode it twice.
  const bytes = Buffer.from(toXml(root, body), 'utf8');
  res.writeHead(status, { ...headers, 'Content-Type': 'application/xml', 'Content-Length': bytes.length });
  res.end(bytes);
}

/** HEAD responses never carry an error body; every other error is an XML `<Error>` document. */
export function sendS3Error(res: ServerResponse, err: S3Error, method: string, requestId: string, hostId: string): void {
  const headers = { ...err.headers };
  if (method === 'HEAD') {
    res.writeHead(err.status, headers);
    res.end();
    return;
  }
  const body: XmlObject = { Code: err.code, Message: err.message };
  for (const [name, value] of Object.entries(err.fields)) body[name] = value;
  body.RequestId = requestId;
  body.HostId = hostId;
  const text = toXml('Error', body, { namespace: null });
  res.writeHead(err.status, { ...headers, 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
