// Authorisation, first slice: a caller may use a key iff it belongs to the key's account (the
// default policy's account-root delegation). AWS managed keys allow only what their fixed
// policy allows: use (Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, DescribeKey) and
// Describe/Get/List, so disabling, deleting, tagging, rotating or aliasing one is denied, as
// in AWS. Key-policy evaluation will replace the body of `authorize` without changing callers.

import { KmsError } from './errors.js';
import type { KeyRecord } from './records.js';
import type { Caller } from './types.js';

export type KmsAction =
  | 'CreateKey'
  | 'DescribeKey'
  | 'ListKeys'
  | 'EnableKey'
  | 'DisableKey'
  | 'ScheduleKeyDeletion'
  | 'CancelKeyDeletion'
  | 'CreateAlias'
  | 'ListAliases'
  | 'UpdateAlias'
  | 'DeleteAlias'
  | 'UpdateKeyDescription'
  | 'Encrypt'
  | 'Decrypt'
  | 'ReEncryptFrom'
  | 'ReEncryptTo'
  | 'GenerateDataKey'
  | 'GenerateDataKeyWithoutPlaintext'
  | 'GenerateRandom'
  | 'EnableKeyRotation'
  | 'DisableKeyRotation'
  | 'GetKeyRotationStatus'
  | 'RotateKeyOnDemand'
  | 'ListKeyRotations'
  | 'GetParametersForImport'
  | 'ImportKeyMaterial'
  | 'DeleteImportedKeyMaterial'
  | 'TagResource'
  | 'UntagResource'
  | 'ListResourceTags';

const AWS_MANAGED_ALLOWED: ReadonlySet<KmsAction> = new Set<KmsAction>([
  'Encrypt',
  'Decrypt',
  'ReEncryptFrom',
  'ReEncryptTo',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'DescribeKey',
  'ListKeys',
  'ListAliases',
  'GetKeyRotationStatus',
  'ListKeyRotations',
  'ListResourceTags',
]);

function denied(caller: Caller, action: KmsAction, resource: string, policyKind: 'resource' | 'identity'): KmsError {
  return new KmsError(
    'AccessDeniedException',
    `User: ${caller.arn} is not authorized to perform: kms:${action} on resource: ${resource} ` +
      `because no ${policyKind}-based policy allows the kms:${action} action`,
  );
}

export function authorize(caller: Caller, action: KmsAction, key: KeyRecord): void {
  if (caller.accountId !== key.accountId) throw denied(caller, action, key.arn, 'resource');
  if (key.keyManager === 'AWS' && !AWS_MANAGED_ALLOWED.has(action)) throw denied(caller, action, key.arn, 'resource');
}

/** Actions on no particular key (CreateKey, ListKeys, ListAliases): the caller's account must be ours. */
export function authorizeAccount(caller: Caller, action: KmsAction, accountId: string): void {
  if (caller.accountId !== accountId) throw denied(caller, action, '*', 'identity');
}
