// Who may do what to a key: its key policy, the caller's identity policies (through the key
// policy's account-root delegation) and the key's grants, as AWS KMS decides it:
//   explicit Deny (key policy or identity policy) → refused, whatever else allows;
//   an Allow in the key policy naming the caller (ARN or "*") → allowed;
//   an identity-policy Allow, where the key policy allows the account root → allowed;
//   a grant for the caller covering the operation, its constraints met → allowed;
//   otherwise refused.
// AWS managed keys carry AWS's fixed policy (policy.ts), so what they permit follows from it.

import { KmsError } from './errors.js';
import { grantAllows } from './grant-match.js';
import { evaluateAccess, evaluatePolicy, parsePolicy, type ContextValue, type Policy, type PolicyRequest } from './policy/index.js';
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
  | 'ListResourceTags'
  | 'PutKeyPolicy'
  | 'GetKeyPolicy'
  | 'ListKeyPolicies'
  | 'CreateGrant'
  | 'ListGrants'
  | 'ListRetirableGrants'
  | 'RetireGrant'
  | 'RevokeGrant';

/** What of the request the policy conditions and grant constraints look at. */
export interface AuthRequest {
  encryptionContext?: Readonly<Record<string, string>>;
  /** Further condition keys (CreateGrant's kms:GrantOperations, …). */
  context?: Readonly<Record<string, ContextValue>>;
}

// Policies are stored and handed over as text; parsing one per request would dominate the hot
// path, so parsed documents are kept by their text (bounded: cleared when full).
const PARSED_LIMIT = 4096;
const parsed = new Map<string, Policy>();

export function parsedPolicy(text: string, kind: 'identity' | 'resource'): Policy {
  const cacheKey = `${kind}\n${text}`;
  let policy = parsed.get(cacheKey);
  if (!policy) {
    policy = parsePolicy(text, kind);
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    parsed.set(cacheKey, policy);
  }
  return policy;
}

function identityPolicies(caller: Caller): Policy[] {
  const policies: Policy[] = [];
  for (const text of caller.identityPolicies ?? []) {
    // A stored identity policy was checked when it was put; one that no longer parses grants nothing.
    try {
      policies.push(parsedPolicy(text, 'identity'));
    } catch {
      continue;
    }
  }
  return policies;
}

function conditionContext(caller: Caller, request: AuthRequest): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = { 'kms:CallerAccount': caller.accountId, 'kms:ViaService': caller.viaService };
  const pairs = request.encryptionContext;
  if (pairs) {
    const keys = Object.keys(pairs);
    if (keys.length > 0) context['kms:EncryptionContextKeys'] = keys;
    for (const k of keys) context[`kms:EncryptionContext:${k}`] = pairs[k];
  }
  return { ...context, ...request.context };
}

export function accessDenied(caller: Caller, action: KmsAction, resource: string, why: 'no-resource' | 'no-identity' | 'deny-resource' | 'deny-identity'): KmsError {
  const reason = {
    'no-resource': `because no resource-based policy allows the kms:${action} action`,
    'no-identity': `because no identity-based policy allows the kms:${action} action`,
    'deny-resource': 'with an explicit deny in a resource-based policy',
    'deny-identity': 'with an explicit deny in an identity-based policy',
  }[why];
  return new KmsError('AccessDeniedException', `User: ${caller.arn} is not authorized to perform: kms:${action} on resource: ${resource} ${reason}`);
}

function policyRequest(caller: Caller, action: KmsAction, resource: string, request: AuthRequest): PolicyRequest {
  return { principal: { arn: caller.arn, accountId: caller.accountId }, action: `kms:${action}`, resource, context: conditionContext(caller, request) };
}

/** The decision for `action` on `key` by policies alone (no grants); the lockout check passes a policy not yet stored. */
export function policyDecision(caller: Caller, action: KmsAction, key: Pick<KeyRecord, 'arn' | 'policy'>, request: AuthRequest = {}): ReturnType<typeof evaluateAccess> {
  return evaluateAccess({
    request: policyRequest(caller, action, key.arn, request),
    identityPolicies: identityPolicies(caller),
    resourcePolicy: parsedPolicy(key.policy, 'resource'),
    resourcePolicyGate: true,
  });
}

export function authorize(caller: Caller, action: KmsAction, key: KeyRecord, request: AuthRequest = {}): void {
  const decision = policyDecision(caller, action, key, request);
  if (decision === 'Allow') return;
  // Only refusals get here: which policy is to blame, for AWS's message.
  const keyPolicy = evaluatePolicy(parsedPolicy(key.policy, 'resource'), policyRequest(caller, action, key.arn, request), true);
  if (decision === 'Deny') throw accessDenied(caller, action, key.arn, keyPolicy.deny ? 'deny-resource' : 'deny-identity');
  if (grantAllows(key, caller, action, request.encryptionContext)) return;
  throw accessDenied(caller, action, key.arn, keyPolicy.accountAllow ? 'no-identity' : 'no-resource');
}

/** Actions on no particular key (CreateKey, ListKeys, ListAliases, GenerateRandom): identity policies alone decide. */
export function authorizeAccount(caller: Caller, action: KmsAction, accountId: string): void {
  if (caller.accountId !== accountId) throw accessDenied(caller, action, '*', 'no-identity');
  const decision = evaluateAccess({
    request: policyRequest(caller, action, '*', {}),
    identityPolicies: identityPolicies(caller),
  });
  if (decision === 'Deny') throw accessDenied(caller, action, '*', 'deny-identity');
  if (decision !== 'Allow') throw accessDenied(caller, action, '*', 'no-identity');
}
