import { S3Error, needs } from '../http/errors.js';
import { MAX_CONFIGURATION_BYTES, readSmallBody, requireBodyChecksum } from '../http/body.js';
import { boolean, element, optional, parseXml, repeated, required, text } from '../http/xml-parse.js';
import { updateBucketConfig, type BucketEncryption } from '../s3/bucket-config.js';
import type { Operation } from './operation.js';

/**
 * The body S3 accepts: exactly one Rule with ApplyServerSideEncryptionByDefault and an
 * optional BucketKeyEnabled (BlockedEncryptionTypes is read only to be refused as not
 * implemented). Anything off-schema is MalformedXML, as S3 answers it.
 */
const encryptionConfiguration = element({
  Rule: required(
    element({
      ApplyServerSideEncryptionByDefault: required(element({ SSEAlgorithm: required(text), KMSMasterKeyID: optional(text) })),
      BucketKeyEnabled: optional(boolean),
      // Its list names at most the two encryption types there are (NONE, SSE-C).
      BlockedEncryptionTypes: optional(element({ EncryptionType: repeated(text, { max: 2 }) })),
    }),
  ),
});

/** SSEAlgorithm AES256 or aws:kms; KMSMasterKeyID only with aws:kms. */
function parseEncryptionConfiguration(body: Buffer): BucketEncryption {
  const { Rule: rule } = parseXml(body, 'ServerSideEncryptionConfiguration', encryptionConfiguration);
  if (rule.BlockedEncryptionTypes !== undefined) {
    throw new S3Error('NotImplemented', 'Blocking encryption types is not implemented by this gateway.');
  }
  // Whitespace around a value (a pretty-printed document) is not part of it.
  const algorithm = rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm.trim();
  if (algorithm === 'aws:kms:dsse') {
    throw new S3Error('NotImplemented', 'Dual-layer server-side encryption (aws:kms:dsse) is not implemented by this gateway.');
  }
  needs(algorithm === 'AES256' || algorithm === 'aws:kms', 'MalformedXML');
  const keyId = rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID?.trim();
  if (keyId !== undefined && algorithm !== 'aws:kms') {
    throw new S3Error('InvalidArgument', 'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse', { ArgumentName: 'ApplyServerSideEncryptionByDefault' });
  }
  const encryption: BucketEncryption = { sseAlgorithm: algorithm, bucketKeyEnabled: rule.BucketKeyEnabled ?? false };
  if (keyId !== undefined && keyId !== '') encryption.kmsMasterKeyId = keyId;
  return encryption;
}

export const PutBucketEncryption: Operation = async (ctx) => {
  const { bucket, deps } = ctx;
  await deps.store.headBucket(bucket);
  requireBodyChecksum(ctx.headers);
  const encryption = parseEncryptionConfiguration(await readSmallBody(ctx, MAX_CONFIGURATION_BYTES));
  await updateBucketConfig(deps.store, bucket, (config) => ({ ...config, encryption }));
  return { status: 200 };
};
