import { BucketExistsError } from '@kmsgate/storage';
import { S3Error, needs } from '../http/errors.js';
import { isValidBucketName } from '../s3/bucket-name.js';
import { MAX_CONFIGURATION_BYTES, readSmallBody } from '../http/body.js';
import { element, optional, parseOptionalXml, text } from '../http/xml-parse.js';
import { checkCreateBucketAcl } from '../s3/acl.js';
import type { Operation } from './operation.js';

const createBucketConfiguration = element({ LocationConstraint: optional(text) });

/**
 * CreateBucket. The optional `<CreateBucketConfiguration>` must name this gateway's region,
 * except in us-east-1, which takes no constraint at all (as Amazon S3 does). Re-creating your
 * own bucket answers 200 in us-east-1 and BucketAlreadyOwnedByYou elsewhere, as S3 does.
 */
export const CreateBucket: Operation = async (ctx) => {
  const { bucket, deps } = ctx;
  needs(isValidBucketName(bucket), 'InvalidBucketName', undefined, { BucketName: bucket });
  checkCreateBucketAcl(ctx.headers);
  const config = parseOptionalXml(await readSmallBody(ctx, MAX_CONFIGURATION_BYTES), 'CreateBucketConfiguration', createBucketConfiguration);
  const constraint = config?.LocationConstraint ?? '';
  if (deps.region === 'us-east-1' && constraint === 'us-east-1') {
    throw new S3Error('InvalidLocationConstraint', 'The specified location-constraint is not valid', { LocationConstraint: constraint });
  }
  if (constraint !== '' && constraint !== deps.region) {
    throw new S3Error('IllegalLocationConstraintException', `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`);
  }
  needs(constraint !== '' || deps.region === 'us-east-1', 'IllegalLocationConstraintException', 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.');
  try {
    await deps.store.createBucket(bucket);
  } catch (err) {
    if (!(err instanceof BucketExistsError) || deps.region !== 'us-east-1') throw err;
  }
  return { status: 200, headers: { Location: `/${bucket}` } };
};
