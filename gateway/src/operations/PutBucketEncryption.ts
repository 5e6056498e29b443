import { S3Error, needs } from '../http/errors.js';
import { updateBucketConfig, type BucketEncryption } from '../s3/bucket-config.js';
import { childrenByName, readXmlDocument, type XmlElement } from '../s3/config-document.js';
import type { Operation } from './operation.js';

/**
 * The body S3 accepts: exactly one Rule with ApplyServerSideEncryptionByDefault
 * (SSEAlgorithm AES256 or aws:kms, KMSMasterKeyID only with aws:kms) and an optional
 * BucketKeyEnabled. Anything off-schema is MalformedXML, as S3 answers it.
 */
function parseEncryptionConfiguration(doc: XmlElement | null): BucketEncryption {
  needs(doc !== null && doc.name === 'ServerSideEncryptionConfiguration', 'MalformedXML');
  needs(doc.children.length === 1 && doc.children[0]!.name === 'Rule', 'MalformedXML');
  const rule = childrenByName(doc.children[0]!, ['ApplyServerSideEncryptionByDefault', 'BucketKeyEnabled', 'BlockedEncryptionTypes']);
  if (rule.has('BlockedEncryptionTypes')) {
    throw new S3Error('NotImplemented', 'Blocking encryption types is not implemented by this gateway.');
  }
  const byDefault = rule.get('ApplyServerSideEncryptionByDefault');
  needs(byDefault, 'MalformedXML');
  const fields = childrenByName(byDefault, ['SSEAlgorithm', 'KMSMasterKeyID']);
  const algorithm = fields.get('SSEAlgorithm')?.text;
  if (algorithm === 'aws:kms:dsse') {
    throw new S3Error('NotImplemented', 'Dual-layer server-side encryption (aws:kms:dsse) is not implemented by this gateway.');
  }
  needs(algorithm === 'AES256' || algorithm === 'aws:kms', 'MalformedXML');
  const keyId = fields.get('KMSMasterKeyID')?.text;
  if (keyId !== undefined && algorithm !== 'aws:kms') {
    throw new S3Error('InvalidArgument', 'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse', { ArgumentName: 'ApplyServerSideEncryptionByDefault' });
  }
  const bucketKey = rule.get('BucketKeyEnabled')?.text ?? 'false';
  needs(bucketKey === 'true' || bucketKey === 'false', 'MalformedXML');
  const encryption: BucketEncryption = { sseAlgorithm: algorithm, bucketKeyEnabled: bucketKey === 'true' };
  if (keyId !== undefined && keyId !== '') encryption.kmsMasterKeyId = keyId;
  return encryption;
}

export const PutBucketEncryption: Operation = async (ctx) => {
  const { bucket, deps } = ctx;
  await deps.store.headBucket(bucket);
  const encryption = parseEncryptionConfiguration(await readXmlDocument(ctx, { checksumRequired: true }));
  await updateBucketConfig(deps.store, bucket, (config) => ({ ...config, encryption }));
  return { status: 200 };
};
