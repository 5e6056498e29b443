/**
 * The POST policy language and the form fields around it, against the answers recorded from
 * Amazon S3 (messages, codes, what passes and what fails).
 */
import { describe, expect, it } from '@jest/globals';
import { formKey, formSignature } from './form-auth.js';
import { MAX_PRE_FILE_BYTES, PostForm } from './form-fields.js';
import { checkPostPolicy, parsePostPolicy } from './post-policy.js';
import { s3ErrorThrownBy } from '../http/testing/s3-error.js';

const NOW = new Date('2030-01-01T00:00:00Z');
const LATER = '2030-01-01T01:00:00Z';

function b64(doc: unknown): string {
  return Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc)).toString('base64');
}

function policyOf(conditions: unknown[], expiration: unknown = LATER) {
  return parsePostPolicy(b64({ expiration, conditions }));
}

function formOf(fields: Record<string, string>): PostForm {
  const form = new PostForm();
  for (const [name, value] of Object.entries(fields)) form.add(name, value);
  return form;
}

const invalid = (message: string) => ({ code: 'InvalidPolicyDocument', status: 400, message: `Invalid Policy: ${message}` });
const denied = (message: string) => ({ code: 'AccessDenied', status: 403, message: `Invalid according to Policy: ${message}` });

describe('the policy document', () => {
  it('reads expiration and conditions, with or without milliseconds', () => {
    expect(policyOf([{ bucket: 'b' }]).expiration).toEqual(new Date(LATER));
    expect(policyOf([], '2030-01-01T01:00:00.000Z').expiration).toEqual(new Date(LATER));
  });

  it('refuses what is not a policy, as S3 words it', () => {
    const cases: [string, string][] = [
      ['not base64!', 'invalid Base64 encoding.'],
      [b64('{"expiration":'), 'Invalid JSON.'],
      [b64('[]'), 'Invalid JSON.'],
      [b64({ expiration: LATER, conditions: [], Statement: [] }), "Unexpected: 'statement'"],
      [b64({ EXPIRATION: LATER, conditions: [] }), "Unexpected: 'expiration'"],
      [b64({ conditions: [] }), 'Policy missing expiration.'],
      [b64({ expiration: LATER }), 'Policy missing conditions.'],
      [b64({ expiration: LATER, conditions: {} }), "Invalid 'conditions' value: must be a List."],
      [b64({ expiration: '2011-09-13T07:52:58+02:00', conditions: [] }), "Invalid 'expiration' value: '2011-09-13T07:52:58+02:00'"],
      [b64({ expiration: '2015-10-17 03:15:59 UTC', conditions: [] }), "Invalid 'expiration' value: '2015-10-17 03:15:59 UTC'"],
      [b64({ expiration: LATER, conditions: [{}] }), 'Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.'],
      [b64({ expiration: LATER, conditions: [{ bucket: 'b', key: 'k' }] }), 'Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.'],
      [b64({ expiration: LATER, conditions: [{ 'Content-Length': 6199034 }] }), 'Invalid Simple-Condition: value must be a string.'],
      [b64({ expiration: LATER, conditions: [{ success_action_redirect: null }] }), 'Invalid JSON.'],
      [b64({ expiration: LATER, conditions: [[]] }), 'Invalid Condition: missing operation identifier.'],
      [b64({ expiration: LATER, conditions: [['in', '$key', 'a']] }), "Invalid Condition: unknown operation 'in'."],
      [b64({ expiration: LATER, conditions: [['content-length-range', 0]] }), 'Invalid content-length-range: wrong number of arguments.'],
      [b64({ expiration: LATER, conditions: [['content-length-range', 0, 512.5]] }), 'Invalid JSON.'],
      [b64({ expiration: LATER, conditions: ['key'] }), 'Invalid condition test: must be a List or Object.'],
    ];
    for (const [text, message] of cases) expect(s3ErrorThrownBy(() => parsePostPolicy(text))).toMatchObject(invalid(message));
    expect(s3ErrorThrownBy(() => parsePostPolicy(b64({ expiration: LATER, conditions: [['content-length-range', -1, 0]] }))).code).toBe('InvalidPolicyDocument');
  });
});

describe('the policy against the form', () => {
  const fields = { key: 'user/eric/photo.jpg', 'Content-Type': 'image/jpeg', 'x-amz-meta-TEST-2': 'v', success_action_redirect: 'http://localhost.test/done' };

  it('passes eq, starts-with and simple conditions matched case-insensitively by name, and returns the size range', () => {
    const policy = policyOf([
      { bucket: 'b' },
      ['StArTs-WiTh', '$KeY', 'user/eric/'],
      ['eq', '$content-type', 'image/jpeg'],
      { 'x-amz-meta-test-2': 'v' },
      ['starts-with', '$success_Action_REDIRECT', ''],
      ['content-length-range', '5', '10'],
    ]);
    expect(checkPostPolicy(policy, formOf(fields), 'b', NOW)).toEqual({ min: 5, max: 10 });
  });

  it('refuses an expired policy, a failed condition (printed as S3 prints it) and an absent field', () => {
    expect(s3ErrorThrownBy(() => checkPostPolicy(policyOf([], '2029-12-31T23:59:59Z'), formOf({}), 'b', NOW))).toMatchObject(denied('Policy expired.'));
    const cases: [unknown, string][] = [
      [['eq', '$success_action_redirect', 'http://localhost.test/random'], '["eq", "$success_action_redirect", "http://localhost.test/random"]'],
      [['eq', 'success_action_redirect', 'http://localhost.test/done'], '["eq", "success_action_redirect", "http://localhost.test/done"]'],
      [['eq', '$success_action_redirect', 'HTTP://localhost.test/done'], '["eq", "$success_action_redirect", "HTTP://localhost.test/done"]'],
      [{ key: 'user/eric/other.jpg' }, '["eq", "$key", "user/eric/other.jpg"]'],
      [['starts-with', '$key', 'User/'], '["starts-with", "$key", "User/"]'],
      [{ bucket: 'other' }, '["eq", "$bucket", "other"]'],
      [['starts-with', '$Content-Disposition', ''], '["starts-with", "$Content-Disposition", ""]'],
      [['content-length-range', 'test', '10'], '["content-length-range", "test", "10"]'],
      [['eq', '$x-amz-meta-q', 'say "hi"'], '["eq", "$x-amz-meta-q", "say \\"hi\\""]'],
    ];
    for (const [condition, printed] of cases) {
      const form = formOf({ ...fields, 'x-amz-meta-q': 'x' });
      const all = [{ bucket: 'b' }, { key: fields.key }, { 'content-type': 'image/jpeg' }, { 'x-amz-meta-test-2': 'v' }, { 'x-amz-meta-q': 'x' }, { success_action_redirect: fields.success_action_redirect }];
      expect(s3ErrorThrownBy(() => checkPostPolicy(policyOf([...all, condition]), form, 'b', NOW))).toMatchObject(denied(`Policy Condition failed: ${printed}`));
    }
  });

  it('takes a comma-separated Content-Type as a list, and only Content-Type', () => {
    const policy = policyOf([['starts-with', '$Content-Type', 'image/']]);
    expect(checkPostPolicy(policy, formOf({ 'Content-Type': 'image/jpg,image/png' }), 'b', NOW)).toBeUndefined();
    expect(s3ErrorThrownBy(() => checkPostPolicy(policy, formOf({ 'Content-Type': 'image/jpg,text/plain' }), 'b', NOW)).code).toBe('AccessDenied');
    expect(checkPostPolicy(policyOf([['starts-with', '$key', 'a']]), formOf({ key: 'a,b' }), 'b', NOW)).toBeUndefined();
  });

  it('needs every field covered, except the signature fields, file and x-ignore-*', () => {
    const policy = policyOf([{ key: 'k' }]);
    const exempt = { key: 'k', Policy: 'p', 'X-Amz-Signature': 's', AWSAccessKeyId: 'a', signature: 's', 'x-ignore-foo': 'bar' };
    expect(checkPostPolicy(policy, formOf(exempt), 'b', NOW)).toBeUndefined();
    expect(s3ErrorThrownBy(() => checkPostPolicy(policy, formOf({ ...exempt, 'x-amz-meta-Note': 'n', Filename: 'f' }), 'b', NOW))).toMatchObject(
      denied('Extra input fields: x-amz-meta-Note, Filename'),
    );
  });
});

describe('the form fields', () => {
  it('are case-insensitive by name, join repeats with commas, and expand ${filename} without the path', () => {
    const form = formOf({ Key: 'uploads/${filename}', 'x-amz-meta-tag': 'Ninja', 'X-Amz-Meta-Tag': 'Stallman' });
    form.expandFilename('C:\\Program Files\\directory1\\file.txt');
    expect(form.value('key')).toBe('uploads/file.txt');
    expect(form.value('x-amz-meta-tag')).toBe('Ninja,Stallman');
    expect(form.names()).toEqual(['Key', 'x-amz-meta-tag']);
    const unnamed = formOf({ key: 'file-as-field-${filename}' });
    unnamed.expandFilename(undefined);
    expect(unnamed.value('key')).toBe('file-as-field-${filename}');
  });

  it('stand for the headers of a PUT, UTF-8 bytes one character per byte', () => {
    const headers = formOf({ 'Content-Type': 'text/plain', acl: 'private', 'x-amz-meta-Name': 'ÄMÄZÕÑ S3' }).asHeaders();
    expect(headers).toEqual({ 'content-type': 'text/plain', 'x-amz-acl': 'private', 'x-amz-meta-name': Buffer.from('ÄMÄZÕÑ S3').toString('latin1') });
  });

  it('may hold 20 KB before the file', () => {
    const form = new PostForm();
    form.add('x-ignore-pad', 'x'.repeat(MAX_PRE_FILE_BYTES - 'x-ignore-pad'.length));
    expect(s3ErrorThrownBy(() => form.add('k', ''))).toMatchObject({ code: 'MaxPostPreDataLengthExceeded', fields: { MaxPostPreDataLengthBytes: 20480 } });
  });

  it('say which signature the form carries, or name the field it lacks', () => {
    const v4 = { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Credential': 'c', 'X-Amz-Date': 'd', 'X-Amz-Signature': 's', Policy: 'p' };
    expect(formSignature(formOf(v4))).toEqual({ algorithm: 'AWS4-HMAC-SHA256', credential: 'c', date: 'd', signature: 's', policy: 'p' });
    expect(formSignature(formOf({ AWSAccessKeyId: 'a', signature: 's', policy: 'p' }))).toEqual({ accessKeyId: 'a', signature: 's', policy: 'p' });
    const missing = (fields: Record<string, string>) => s3ErrorThrownBy(() => formSignature(formOf(fields)));
    const noSignature: Record<string, string> = { ...v4 };
    delete noSignature['X-Amz-Signature'];
    expect(missing(noSignature)).toMatchObject({
      code: 'InvalidArgument',
      message: "Bucket POST must contain a field named 'X-Amz-Signature'.  If it is specified, please check the order of the fields.",
      fields: { ArgumentName: 'X-Amz-Signature', ArgumentValue: '' },
    });
    expect(missing({ 'X-Amz-Date': 'd', Policy: 'p' }).fields.ArgumentName).toBe('X-Amz-Algorithm');
    expect(missing({ signature: 's', policy: 'p' }).fields.ArgumentName).toBe('AWSAccessKeyId');
    expect(missing({ AWSAccessKeyId: 'a', policy: 'p' }).fields.ArgumentName).toBe('Signature');
    expect(missing({ key: 'k', policy: 'p' })).toMatchObject({ code: 'AccessDenied', status: 403, message: 'Access Denied' });
    expect(s3ErrorThrownBy(() => formKey(formOf({ policy: 'p' }))).fields).toEqual({ ArgumentName: 'key', ArgumentValue: '' });
    expect(s3ErrorThrownBy(() => formKey(formOf({ key: '' }))).code).toBe('InvalidArgument');
  });
});
