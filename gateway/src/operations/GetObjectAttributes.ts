/**
 * GetObjectAttributes (`GET /{bucket}/{key}?attributes`): what `x-amz-object-attributes`
 * names, from the metadata record alone (no KMS call, like HEAD).
 *
 * 1. The header lists ETag, Checksum, ObjectParts, StorageClass, ObjectSize (comma-separated);
 *    missing or empty -> 400 InvalidRequest; any other name -> 400 InvalidArgument.
 * 2. Only the named elements are returned, in the order S3 writes them. ETag unquoted;
 *    Checksum only when the object has one (always, for objects written since checksums are
 *    kept by default), with its ChecksumType; ObjectParts only for multipart objects (paged
 *    by x-amz-max-parts and x-amz-part-number-marker), with each part's size and checksum;
 *    StorageClass even when STANDARD. A composite checksum is given without its -N.
 */
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import type { XmlObject } from '../http/xml.js';
import { assertContextNamesObject, checksumTypeOf, parseMetadata, type ObjectMetadata } from '../sse/index.js';
import type { Operation } from './operation.js';

const ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] as const;
type Attribute = (typeof ATTRIBUTES)[number];
const HEADER = 'x-amz-object-attributes';

function requestedAttributes(value: string | undefined): Set<Attribute> {
  const names = (value ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.length === 0) {
    throw new S3Error('InvalidRequest', `The ${HEADER} header specifying the attributes to be retrieved is either missing or empty`);
  }
  for (const name of names) {
    if (!(ATTRIBUTES as readonly string[]).includes(name)) {
      throw new S3Error('InvalidArgument', 'Invalid attribute name specified.', { ArgumentName: HEADER, ArgumentValue: name });
    }
  }
  return new Set(names as Attribute[]);
}

const MAX_PARTS = 1000;

function headerInt(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value)) throw new S3Error('InvalidArgument', `Provided ${name} not an integer or within integer range`, { ArgumentName: name, ArgumentValue: value });
  return Number(value);
}

function objectParts(parts: NonNullable<ObjectMetadata['parts']>, headers: Parameters<Operation>[0]['headers']): XmlObject {
  const maxParts = Math.min(headerInt(headerValue(headers, 'x-amz-max-parts'), MAX_PARTS, 'x-amz-max-parts'), MAX_PARTS);
  const marker = headerInt(headerValue(headers, 'x-amz-part-number-marker'), 0, 'x-amz-part-number-marker');
  const after = parts.filter((p) => p.partNumber > marker);
  const page = after.slice(0, maxParts);
  return {
    PartsCount: parts.length,
    PartNumberMarker: marker,
    NextPartNumberMarker: page.length > 0 ? page[page.length - 1].partNumber : marker,
    MaxParts: maxParts,
    IsTruncated: after.length > page.length,
    Part: page.map((p) => ({
      PartNumber: p.partNumber,
      Size: p.plaintextSize,
      ...Object.fromEntries(Object.entries(p.checksums).map(([alg, value]) => [`Checksum${alg}`, value])),
    })),
  };
}

export const GetObjectAttributes: Operation = async ({ bucket, key, deps, headers }) => {
  const wanted = requestedAttributes(headerValue(headers, HEADER));
  const { metadata } = await deps.store.headObject(bucket, key);
  const meta = parseMetadata(metadata);
  assertContextNamesObject(meta.encryptionContext, bucket, key);
  const checksums = Object.entries(meta.checksums);
  const body: XmlObject = {};
  if (wanted.has('ETag')) body.ETag = meta.etag;
  if (wanted.has('Checksum') && checksums.length > 0) {
    const type = checksumTypeOf(checksums[0][1]);
    body.Checksum = { ...Object.fromEntries(checksums.map(([alg, value]) => [`Checksum${alg}`, value.replace(/-\d+$/, '')])), ChecksumType: type };
  }
  if (wanted.has('ObjectParts') && meta.parts) body.ObjectParts = objectParts(meta.parts, headers);
  if (wanted.has('StorageClass')) body.StorageClass = meta.storageClass;
  if (wanted.has('ObjectSize')) body.ObjectSize = meta.plaintextSize;
  return {
    status: 200,
    headers: { 'Last-Modified': new Date(meta.lastModified).toUTCString() },
    xml: { root: 'GetObjectAttributesResponse', body },
  };
};
