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
import { decidePrepared, evaluateAccess, evaluatePolicy, parsePolicy, prepareAccess } from './policy/index.js';
import type { ContextValue, Decision, Policy, PolicyRequest, PreparedAccess } from './policy/index.js';
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
    entry = { policy, id: nextPolicyId++, variables: text.includes('${') };
    if (cache.size >= PARSED_LIMIT) cache.clear();
    cache.set(text, entry);
  }
  return entry;
}

export function parsedPolicy(text: string, kind: 'identity' | 'resource'): Policy {
  return parsedEntry(text, kind).policy;
}

/** The caller's parsed identity policies, after `first` when given. */
function identityEntries(caller: Caller, first?: ParsedPolicy): ParsedPolicy[] {
  const entries: ParsedPolicy[] = first ? [first] : [];
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
// GET). What a decision depends on besides the request's context — which statements of which
// policies admit this principal, action and resource — is worked out once and kept under
// exactly those (policies with variables, whose resource patterns read the context, are always
// evaluated afresh); only the conditions left, if any, are tested per call. So a key policy
// with a condition on the object ARN costs a condition test per new object, not an evaluation.
// The values are the levels of a tree of maps rather than one joined string: they are the same
// string objects call after call (the caller's ARN, the key's ARN), whose hashes V8 keeps, so a
// lookup costs a few map reads and builds nothing.
const PREPARED_LIMIT = 16_384;

interface PreparedNode {
  next: Map<string | number, PreparedNode>;
  prepared?: PreparedAccess;
  /** The decision, when `prepared` leaves no condition to test. */
  decision?: Decision;
}

let preparedRoot: PreparedNode = { next: new Map() };
let preparedCount = 0;

/** One level down from `node` (made when `create`). */
function below(node: PreparedNode | undefined, segment: string | number, create: boolean): PreparedNode | undefined {
  let next = node?.next.get(segment);
  if (!next && create && node) {
    next = { next: new Map() };
    node.next.set(segment, next);
  }
  return next;
}

/**
 * The node kept for the caller, action, key and policies (made when `create`), walked without
 * building anything; undefined when none is kept or the policies use variables.
 */
function preparedNode(caller: Caller, action: KmsAction, resource: string, policies: ParsedPolicy[], create: boolean): PreparedNode | undefined {
  for (const p of policies) if (p.variables) return undefined;
  let node = below(preparedRoot, caller.arn, create);
  node = below(node, caller.accountId, create);
  node = below(node, action, create);
  node = below(node, resource, create);
  for (const p of policies) node = below(node, p.id, create);
  return node;
}

function keep(caller: Caller, action: KmsAction, resource: string, policies: ParsedPolicy[], prepared: PreparedAccess, decision: Decision | undefined): void {
  if (preparedCount >= PREPARED_LIMIT) {
    preparedRoot = { next: new Map() };
    preparedCount = 0;
  }
  const node = preparedNode(caller, action, resource, policies, true);
  if (!node) return;
  if (node.prepared === undefined) preparedCount++;
  node.prepared = prepared;
  if (decision === undefined) delete node.decision;
  else node.decision = decision;
}

// Condition keys are case-insensitive and the evaluator folds them: named here in lower case
// already, they cost no folding per call.
function conditionContext(caller: Caller, request: AuthRequest): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = { 'kms:calleraccount': caller.accountId, 'kms:viaservice': caller.viaService };
  const pairs = request.encryptionContext;
  if (pairs) {
    const keys = Object.keys(pairs);
    if (keys.length > 0) context['kms:encryptioncontextkeys'] = keys;
    for (const k of keys) context[`kms:encryptioncontext:${k}`] = pairs[k];
  }
  return request.context ? { ...context, ...request.context } : context;
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
  const policies = identityEntries(caller, keyPolicy);
  const kept = preparedNode(caller, action, key.arn, policies, false);
  if (kept?.decision) return kept.decision;
  const fullRequest = policyRequest(caller, action, key.arn, request);
  if (kept?.prepared) return decidePrepared(kept.prepared, fullRequest);
  const prepared = prepareAccess({
    request: fullRequest,
    identityPolicies: policies.slice(1).map((p) => p.policy),
    resourcePolicy: keyPolicy.policy,
    resourcePolicyGate: true,
  });
  const decision = decidePrepared(prepared, fullRequest);
  keep(caller, action, key.arn, policies, prepared, prepared.conditional ? undefined : decision);
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
