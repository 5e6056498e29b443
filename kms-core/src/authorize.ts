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
import { evaluateAccess, evaluatePolicy, parsePolicy, type ContextValue, type Decision, type Policy, type PolicyRequest } from './policy/index.js';
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
// path, so parsed documents are kept by their text (bounded: cleared when full), with what a
// decision about them depends on.
const PARSED_LIMIT = 4096;

interface ParsedPolicy {
  policy: Policy;
  /** Small and unique: names the document in decision-cache keys. */
  id: number;
  /** Lower-case condition keys its statements test. */
  conditionKeys: string[];
  /** Uses `${…}` policy variables, whose values could come from anywhere in the request. */
  variables: boolean;
}

const parsedByKind = { identity: new Map<string, ParsedPolicy>(), resource: new Map<string, ParsedPolicy>() };
let nextPolicyId = 0;

function parsedEntry(text: string, kind: 'identity' | 'resource'): ParsedPolicy {
  const cache = parsedByKind[kind];
  let entry = cache.get(text);
  if (!entry) {
    const policy = parsePolicy(text, kind);
    const conditionKeys = [...new Set(policy.statements.flatMap((st) => st.conditions.map((c) => c.key.toLowerCase())))];
    entry = { policy, id: nextPolicyId++, conditionKeys, variables: text.includes('${') };
    if (cache.size >= PARSED_LIMIT) cache.clear();
    cache.set(text, entry);
  }
  return entry;
}

export function parsedPolicy(text: string, kind: 'identity' | 'resource'): Policy {
  return parsedEntry(text, kind).policy;
}

function identityEntries(caller: Caller): ParsedPolicy[] {
  const entries: ParsedPolicy[] = [];
  for (const text of caller.identityPolicies ?? []) {
    // A stored identity policy was checked when it was put; one that no longer parses grants nothing.
    try {
      entries.push(parsedEntry(text, 'identity'));
    } catch {
      continue;
    }
  }
  return entries;
}

// Decisions repeat: the same caller, action and key, again and again (every SSE-KMS PUT and
// GET). A decision is a function of the policies and the few request values they test, so it
// is kept under exactly those; policies with variables are always evaluated afresh.
const DECISION_LIMIT = 16_384;
const decisions = new Map<string, Decision>();

function decisionKey(caller: Caller, action: KmsAction, resource: string, request: AuthRequest, policies: ParsedPolicy[]): string | undefined {
  if (request.context) return undefined;
  // Built by concatenation, not arrays and joins: this runs on every GenerateDataKey and Decrypt.
  let key = `${caller.arn}\u0001${caller.accountId}\u0001${caller.viaService ?? ''}\u0001${action}\u0001${resource}\u0001`;
  for (const p of policies) {
    if (p.variables) return undefined;
    key += `${p.id},`;
  }
  const pairs = request.encryptionContext ?? {};
  for (const p of policies) {
    for (const k of p.conditionKeys) {
      if (k === 'kms:encryptioncontextkeys') key += `\u0001${k}\u0001${JSON.stringify(Object.keys(pairs))}`;
      else if (k.startsWith('kms:encryptioncontext:')) {
        const wanted = k.slice('kms:encryptioncontext:'.length);
        // Condition keys are case-insensitive: every pair whose key folds to the tested one counts,
        // each length-prefixed so that no value can imitate a separator or a second pair.
        key += `\u0001${k}`;
        for (const c in pairs) if (Object.hasOwn(pairs, c) && c.toLowerCase() === wanted) key += `\u0002${c.length}:${c}${pairs[c]!.length}:${pairs[c]}`;
      }
    }
  }
  return key;
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
export function policyDecision(caller: Caller, action: KmsAction, key: Pick<KeyRecord, 'arn' | 'policy'>, request: AuthRequest = {}): Decision {
  const keyPolicy = parsedEntry(key.policy, 'resource');
  const identity = identityEntries(caller);
  const cacheKey = decisionKey(caller, action, key.arn, request, [keyPolicy, ...identity]);
  const known = cacheKey === undefined ? undefined : decisions.get(cacheKey);
  if (known) return known;
  const decision = evaluateAccess({
    request: policyRequest(caller, action, key.arn, request),
    identityPolicies: identity.map((p) => p.policy),
    resourcePolicy: keyPolicy.policy,
    resourcePolicyGate: true,
  });
  if (cacheKey !== undefined) {
    if (decisions.size >= DECISION_LIMIT) decisions.clear();
    decisions.set(cacheKey, decision);
  }
  return decision;
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
    identityPolicies: identityEntries(caller).map((p) => p.policy),
  });
  if (decision === 'Deny') throw accessDenied(caller, action, '*', 'deny-identity');
  if (decision !== 'Allow') throw accessDenied(caller, action, '*', 'no-identity');
}
