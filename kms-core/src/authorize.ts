// Authorisation, first slice: a caller may use a key iff it belongs to the key's account (the
// default policy's account-root delegation). AWS managed keys allow only what their fixed
// policy allows: use (Encrypt, Decrypt, GenerateDataKey*, DescribeKey) and Describe/Get/List,
// so disabling, deleting or aliasing one is denied, as in AWS. Key-policy evaluation will
// replace the body of `authorize` without changing its callers.

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
  | 'Encrypt'
  | 'Decrypt'
  | 'GenerateDataKey';

const AWS_MANAGED_ALLOWED: ReadonlySet<KmsAction> = new Set<KmsAction>([
  'Encrypt',
  'Decrypt',
  'GenerateDataKey',
  'DescribeKey',
  'ListKeys',
  'ListAliases',
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
