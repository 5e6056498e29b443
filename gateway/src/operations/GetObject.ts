/**
 * GetObject: the read half of the walkthrough. The metadata record is parsed strictly and
 * must name this bucket and key; kms-core unwraps the data key (checking the caller may use
 * the KMS key); the record's MAC is checked; the header, key commitment and first needed
 * segment authenticate before the status line is written.
 */
import { unwrapObjectKey } from '../sse/object-crypto.js';
import { objectResponseHeaders } from '../s3/object-headers.js';
import type { Operation } from './operation.js';
import { headerValue } from '../http/headers.js';
import { parseRangeHeader } from '../s3/range-header.js';
import { refuseSseHeadersOnRead } from '../s3/sse-headers.js';
import { requireSigV4ForKms } from '../auth/index.js';
import { assertContextNamesObject, canonicalEncryptionContext, openPlaintextStream, parseMetadata, verifyMetadataMac } from '../sse/index.js';

export const GetObject: Operation = async (ctx) => {
  const { bucket, key, deps, headers } = ctx;
  refuseSseHeadersOnRead(headers);
  const stored = await deps.store.getObject(bucket, key);
  try {
    const meta = parseMetadata(stored.metadata);
    if (meta.sse === 'aws:kms') requireSigV4ForKms(ctx.auth);
    assertContextNamesObject(meta.encryptionContext, bucket, key);
    const range = parseRangeHeader(headerValue(headers, 'range'), meta.plaintextSize);
    const dek = await unwrapObjectKey(deps.kms, ctx.caller, meta);
    let body;
    try {
      verifyMetadataMac(meta, dek);
      body = await openPlaintextStream({
        dek,
        objectContext: canonicalEncryptionContext(meta.encryptionContext),
        fileSize: stored.dataSize,
        expectedHeaderSha256: meta.headerSha256,
        expectedPlaintextLength: meta.plaintextSize,
        range,
        readFile: (start, end) => stored.read({ start, end: end - 1 }),
      });
    } finally {
      dek.fill(0);
    }
    body.once('close', () => void stored.close());
    const responseHeaders = objectResponseHeaders(meta, { checksumMode: headerValue(headers, 'x-amz-checksum-mode') === 'ENABLED', full: range === undefined });
    const length = range ? range.end - range.start + 1 : meta.plaintextSize;
    responseHeaders['Content-Length'] = String(length);
    if (range) responseHeaders['Content-Range'] = `bytes ${range.start}-${range.end}/${meta.plaintextSize}`;
    return { status: range ? 206 : 200, headers: responseHeaders, stream: body };
  } catch (err) {
    await stored.close();
    throw err;
  }
};
