/**
 * GetObjectAttributes (`GET /{bucket}/{key}?attributes`): what `x-amz-object-attributes`
 * names, from the metadata record alone (no KMS call, like HEAD).
 *
 * 1. The header lists ETag, Checksum, ObjectParts, StorageClass, ObjectSize (comma-separated);
 *    missing or empty -> 400 InvalidRequest; any other name -> 400 InvalidArgument.
 * 2. Only the named elements are returned, in the order S3 writes them. ETag unquoted;
 *    Checksum only when the object has one (always, for objects written since checksums are
 *    kept by default), with its ChecksumType; ObjectParts only for multipart objects, which
 *    do not exist yet; StorageClass even when STANDARD.
 */
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import type { XmlObject } from '../http/xml.js';
import { assertContextNamesObject, parseMetadata } from '../sse/index.js';
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

export const GetObjectAttributes: Operation = async ({ bucket, key, deps, headers }) => {
  const wanted = requestedAttributes(headerValue(headers, HEADER));
  const { metadata } = await deps.store.headObject(bucket, key);
  const meta = parseMetadata(metadata);
  assertContextNamesObject(meta.encryptionContext, bucket, key);
  const checksums = Object.entries(meta.checksums);
  const body: XmlObject = {};
  if (wanted.has('ETag')) body.ETag = meta.etag;
  if (wanted.has('Checksum') && checksums.length > 0) {
    body.Checksum = { ...Object.fromEntries(checksums.map(([alg, value]) => [`Checksum${alg}`, value])), ChecksumType: 'FULL_OBJECT' };
  }
  if (wanted.has('StorageClass')) body.StorageClass = meta.storageClass;
  if (wanted.has('ObjectSize')) body.ObjectSize = meta.plaintextSize;
  return {
    status: 200,
    headers: { 'Last-Modified': new Date(meta.lastModified).toUTCString() },
    xml: { root: 'GetObjectAttributesResponse', body },
  };
};
