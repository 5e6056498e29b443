/**
 * Which signature a POST form carries, read from its fields, in the order S3 checks them:
 *
 * 1. `key` must be there and not empty (a field after the file is not there: S3 ignores those).
 * 2. Any of x-amz-algorithm, -credential, -date, -signature → SigV4, and then all four and
 *    `policy` must be there; else AWSAccessKeyId or signature → SigV2, and then both and
 *    `policy`. A missing one is 400 InvalidArgument "Bucket POST must contain a field named
 *    '<name>'.  If it is specified, please check the order of the fields." (two spaces).
 * 3. Neither: the form is anonymous, which only a publicly writable bucket takes, and this
 *    gateway has none → 403 AccessDenied.
 * The signature itself is checked by verifyPostPolicy (auth/verify.ts).
 */
import type { PostPolicyV2, PostPolicyV4 } from '../auth/index.js';
import { S3Error } from '../http/errors.js';
import type { PostForm } from './form-fields.js';

const V4_FIELDS = ['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature'];

function required(form: PostForm, spelled: string, allowEmpty = true): string {
  const value = form.value(spelled.toLowerCase());
  if (value === undefined || (!allowEmpty && value === '')) {
    throw new S3Error('InvalidArgument', `Bucket POST must contain a field named '${spelled}'.  If it is specified, please check the order of the fields.`, {
      ArgumentName: spelled,
      ArgumentValue: '',
    });
  }
  return value;
}

/** The object key the form names (`${filename}` already expanded). */
export function formKey(form: PostForm): string {
  // An empty key names no object (best match: S3's answer to an empty key field is unrecorded).
  return required(form, 'key', false);
}

export function formSignature(form: PostForm): PostPolicyV2 | PostPolicyV4 {
  if (V4_FIELDS.some((name) => form.value(name) !== undefined)) {
    return {
      algorithm: required(form, 'X-Amz-Algorithm'),
      credential: required(form, 'X-Amz-Credential'),
      date: required(form, 'X-Amz-Date'),
      signature: required(form, 'X-Amz-Signature'),
      policy: required(form, 'Policy'),
    };
  }
  if (form.value('awsaccesskeyid') !== undefined || form.value('signature') !== undefined) {
    return { accessKeyId: required(form, 'AWSAccessKeyId'), signature: required(form, 'Signature'), policy: required(form, 'Policy') };
  }
  throw new S3Error('AccessDenied');
}
