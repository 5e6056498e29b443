// Parsing of the KeyId forms AWS KMS accepts: key id (UUID), key ARN, alias name, alias ARN.
// Which forms an operation takes is per operation (AWS API reference); the error texts and
// their order (malformed, then wrong region, then absent) follow what AWS KMS sends.

import { KmsError } from './errors.js';

const KEY_UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const MULTI_REGION_KEY = /^mrk-[0-9a-fA-F]{32}$/;
const KMS_ARN = /^arn:(aws[a-zA-Z-]*):kms:([^:]*):([^:]*):(key|alias)\/(.+)$/;

export interface Scope {
  region: string;
  accountId: string;
}

/** `accountId` is the account the reference names: the ARN's, or this KMS's for bare names. */
export type KeyRef =
  | { kind: 'key'; keyId: string; arn: string; accountId: string }
  | { kind: 'alias'; aliasName: string; aliasArn: string; accountId: string };

export function keyArn(scope: Scope, keyId: string): string {
  return `arn:aws:kms:${scope.region}:${scope.accountId}:key/${keyId}`;
}

export function aliasArn(scope: Scope, aliasName: string): string {
  return `arn:aws:kms:${scope.region}:${scope.accountId}:${aliasName}`;
}

export function isWellFormedKeyId(value: string): boolean {
  return KEY_UUID.test(value) || MULTI_REGION_KEY.test(value);
}

function invalidKeyId(value: string): KmsError {
  return new KmsError('NotFoundException', `Invalid keyId '${value}'`);
}

/**
 * Parses `value` into a key or alias reference in `scope`. ARNs keep their account, so an ARN
 * naming another account resolves to nothing here ("does not exist"), as a missing key would.
 */
export function parseKeyRef(value: string, scope: Scope, opts: { allowAlias: boolean }): KeyRef {
  const arn = KMS_ARN.exec(value);
  if (arn) {
    const [, , region, account, resource, name] = arn;
    if (resource === 'key') {
      if (!isWellFormedKeyId(name)) throw invalidKeyId(value);
      if (region !== scope.region) throw new KmsError('NotFoundException', `Invalid arn ${region}`);
      return { kind: 'key', keyId: name, arn: value, accountId: account };
    }
    if (!opts.allowAlias) throw invalidKeyId(value);
    if (region !== scope.region) throw new KmsError('NotFoundException', `Invalid arn ${region}`);
    return { kind: 'alias', aliasName: `alias/${name}`, aliasArn: value, accountId: account };
  }
  if (value.startsWith('alias/')) {
    if (!opts.allowAlias) throw invalidKeyId(value);
    return { kind: 'alias', aliasName: value, aliasArn: aliasArn(scope, value), accountId: scope.accountId };
  }
  if (!isWellFormedKeyId(value)) throw invalidKeyId(value);
  return { kind: 'key', keyId: value, arn: keyArn(scope, value), accountId: scope.accountId };
}
