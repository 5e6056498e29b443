/**
 * PutObject: the verified request body, encrypted into storage under a new data key
 * (sse/object-writer.ts) with the SSE choice of the request or the bucket default.
 */
import { payloadStages } from '../http/body.js';
import { refuseAclHeaders } from '../s3/acl.js';
import { sseForNewObject } from '../s3/bucket-encryption.js';
import { newObjectSseHeaders, userMetadataOf } from '../s3/object-headers.js';
import { systemMetadataOf } from '../s3/system-metadata.js';
import { commitConditions, parseWriteConditions, precheckWriteConditions } from '../s3/conditionals.js';
import { checksumsOf, writeEncryptedObject } from '../sse/index.js';
import { objectIo, type Operation } from './operation.js';

export const PutObject: Operation = async (ctx) => {
  const { bucket, key, deps, headers } = ctx;
  refuseAclHeaders(headers);
  const system = systemMetadataOf(headers);
  const conditions = parseWriteConditions(headers);
  const userMetadata = userMetadataOf(headers);
  const payload = payloadStages(ctx);
  try {
    // Every header is checked by now; this also fails on a missing bucket before the KMS is asked.
    const sse = await sseForNewObject(deps.store, bucket, headers);
    // Answered early when it already fails; decided for good under the key's lock at commit.
    await precheckWriteConditions(deps.store, bucket, key, conditions);
    const written = await writeEncryptedObject({
      ...objectIo(ctx),
      bucket,
      key,
      sse,
      length: payload.length,
      plaintext: payload.streams,
      checksums: () => checksumsOf(payload.checksum()),
      attributes: { ...system, userMetadata },
      ...commitConditions(conditions, key),
    });
    const responseHeaders: Record<string, string> = { ETag: `"${written.etag}"`, ...newObjectSseHeaders(written, headers) };
    const entries = Object.entries(written.checksums);
    for (const [algorithm, value] of entries) responseHeaders[`x-amz-checksum-${algorithm.toLowerCase()}`] = value;
    if (entries.length > 0) responseHeaders['x-amz-checksum-type'] = 'FULL_OBJECT';
    return { status: 200, headers: responseHeaders };
  } finally {
    payload.discard();
  }
};
