// PutKeyPolicy, GetKeyPolicy, ListKeyPolicies, and the checks every new key policy passes
// (CreateKey's too): AWS's character set and 32 KB quota, the policy grammar, and the lockout
// safety check — the caller must still be allowed PutKeyPolicy under the new policy.

import { policyDecision } from './authorize.js';
import type { CoreContext } from './core-context.js';
import { KmsError } from './errors.js';
import { draftKey, requireNotPendingDeletion } from './key-records.js';
import { validateKeyId } from './lifecycle.js';
import { PolicyDocumentError, parsePolicy } from './policy/index.js';
import { authorizedKey } from './resolve.js';
import type { Caller, GetKeyPolicyInput, KeyIdInput, ListInput, ListKeyPoliciesOutput, PutKeyPolicyInput } from './types.js';
import { Violations } from './validate.js';

/** The only policy name KMS knows. */
export const POLICY_NAME = 'default';
/** The key policy quota: 32 KB, not adjustable. */
const MAX_POLICY_BYTES = 32 * 1024;
const POLICY_CHARS = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;

export function validatePolicyText(violations: Violations, policy: string | undefined): void {
  violations.length('policy', policy, 1, 131072, true);
  if (policy !== undefined && policy.length > 0 && !POLICY_CHARS.test(policy)) {
    violations.add(`Value at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: ${POLICY_CHARS.source}`);
  }
}

/**
 * Refuses a policy KMS would not store: over the quota, not a valid policy, or (unless
 * bypassed) one under which `caller` could no longer call PutKeyPolicy on `key`.
 */
export function checkNewPolicy(caller: Caller, key: { arn: string }, policy: string, bypassLockoutCheck: boolean | undefined): void {
  if (Buffer.byteLength(policy, 'utf8') > MAX_POLICY_BYTES) {
    throw new KmsError('LimitExceededException', `The key policy exceeds the maximum size of ${MAX_POLICY_BYTES} bytes.`);
  }
  let parsed;
  try {
    parsed = parsePolicy(policy, 'resource');
  } catch (err) {
    if (err instanceof PolicyDocumentError) throw new KmsError('MalformedPolicyDocumentException', err.message);
    throw err;
  }
  // kms:EncryptionContext:<key> is single-valued: a set operator on it never means what its author meant.
  const setOnContext = parsed.statements.some((s) => s.conditions.some((c) => c.qualifier === 'ForAllValues' && /^kms:encryptioncontext:/i.test(c.key)));
  if (setOnContext) {
    throw new KmsError('MalformedPolicyDocumentException', 'Policy contains a statement that uses the ForAllValues set operator with the single-valued condition key kms:EncryptionContext.');
  }
  if (bypassLockoutCheck === true) return;
  if (policyDecision(caller, 'PutKeyPolicy', { arn: key.arn, policy }) !== 'Allow') {
    throw new KmsError('MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.');
  }
}

function checkPolicyName(violations: Violations, name: string | undefined): void {
  violations.length('policyName', name, 1, 128);
  violations.pattern('policyName', name, /^[\w]+$/);
}

function requireDefaultName(name: string | undefined): void {
  if (name !== undefined && name !== POLICY_NAME) throw new KmsError('NotFoundException', `No such policy exists: ${name}`);
}

export async function putKeyPolicy(ctx: CoreContext, input: PutKeyPolicyInput, caller: Caller): Promise<void> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.required('policy', input.Policy);
  validatePolicyText(violations, input.Policy);
  checkPolicyName(violations, input.PolicyName);
  violations.throwIfAny();
  const key = await authorizedKey(ctx, input.KeyId, { allowAlias: false, action: 'PutKeyPolicy', caller, check: requireNotPendingDeletion });
  requireDefaultName(input.PolicyName);
  checkNewPolicy(caller, key, input.Policy, input.BypassPolicyLockoutSafetyCheck);
  await ctx.store.mutate((doc) => {
    const draft = draftKey(doc, key);
    requireNotPendingDeletion(draft);
    draft.policy = input.Policy;
  });
}

export async function getKeyPolicy(ctx: CoreContext, input: GetKeyPolicyInput, caller: Caller): Promise<{ Policy: string; PolicyName: string }> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  checkPolicyName(violations, input.PolicyName);
  violations.throwIfAny();
  const key = await authorizedKey(ctx, input.KeyId, { allowAlias: false, action: 'GetKeyPolicy', caller });
  requireDefaultName(input.PolicyName);
  return { Policy: key.policy, PolicyName: POLICY_NAME };
}

export async function listKeyPolicies(ctx: CoreContext, input: KeyIdInput & ListInput, caller: Caller): Promise<ListKeyPoliciesOutput> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.range('limit', input.Limit, 1, 1000);
  violations.length('marker', input.Marker, 1, 320);
  violations.throwIfAny();
  await authorizedKey(ctx, input.KeyId, { allowAlias: false, action: 'ListKeyPolicies', caller });
  return { PolicyNames: [POLICY_NAME], Truncated: false };
}
