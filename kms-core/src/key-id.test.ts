import { describe, expect, it } from '@jest/globals';
import { KmsError } from './errors.js';
import { parseKeyRef } from './key-id.js';

const scope = { region: 'us-east-1', accountId: '111122223333' };
const uuid = '1234abcd-12ab-34cd-56ef-1234567890ab';

function errorOf(fn: () => unknown): KmsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KmsError) return err;
    throw err;
  }
  throw new Error('expected a KmsError');
}

describe('parseKeyRef', () => {
  it('accepts a bare key id and expands it to the ARN', () => {
    expect(parseKeyRef(uuid, scope, { allowAlias: false })).toEqual({
      kind: 'key',
      keyId: uuid,
      arn: `arn:aws:kms:us-east-1:111122223333:key/${uuid}`,
      accountId: '111122223333',
    });
  });

  it('accepts a key ARN, keeping the account it names', () => {
    const ref = parseKeyRef(`arn:aws:kms:us-east-1:999999999999:key/${uuid}`, scope, { allowAlias: false });
    expect(ref).toMatchObject({ kind: 'key', keyId: uuid, accountId: '999999999999' });
  });

  it('accepts alias names and alias ARNs only where allowed', () => {
    expect(parseKeyRef('alias/my-key', scope, { allowAlias: true })).toEqual({
      kind: 'alias',
      aliasName: 'alias/my-key',
      aliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/my-key',
      accountId: '111122223333',
    });
    expect(parseKeyRef('arn:aws:kms:us-east-1:111122223333:alias/a/b', scope, { allowAlias: true })).toMatchObject({
      kind: 'alias',
      aliasName: 'alias/a/b',
    });
    expect(errorOf(() => parseKeyRef('alias/my-key', scope, { allowAlias: false })).message).toBe("Invalid keyId 'alias/my-key'");
  });

  it('reports malformed ids as NotFoundException "Invalid keyId"', () => {
    const err = errorOf(() => parseKeyRef('not-a-key', scope, { allowAlias: true }));
    expect(err.type).toBe('NotFoundException');
    expect(err.message).toBe("Invalid keyId 'not-a-key'");
    expect(errorOf(() => parseKeyRef('arn:aws:kms:us-east-1:111122223333:key/nope', scope, { allowAlias: true })).message).toBe(
      "Invalid keyId 'arn:aws:kms:us-east-1:111122223333:key/nope'",
    );
  });

  it('reports an ARN of another region as "Invalid arn <region>"', () => {
    const err = errorOf(() => parseKeyRef(`arn:aws:kms:eu-west-1:111122223333:key/${uuid}`, scope, { allowAlias: false }));
    expect(err.type).toBe('NotFoundException');
    expect(err.message).toBe('Invalid arn eu-west-1');
    expect(errorOf(() => parseKeyRef('arn:aws:kms:eu-west-1:111122223333:alias/x', scope, { allowAlias: true })).message).toBe(
      'Invalid arn eu-west-1',
    );
  });

  it('checks well-formedness before the region', () => {
    expect(errorOf(() => parseKeyRef('arn:aws:kms:eu-west-1:111122223333:key/bad', scope, { allowAlias: false })).message).toBe(
      "Invalid keyId 'arn:aws:kms:eu-west-1:111122223333:key/bad'",
    );
  });

  it('accepts multi-Region key ids as well-formed', () => {
    expect(parseKeyRef('mrk-1234abcd12ab34cd56ef1234567890ab', scope, { allowAlias: false })).toMatchObject({ kind: 'key' });
  });
});
