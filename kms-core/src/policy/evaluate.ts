/**
 * The one IAM policy evaluator: identity policies, key policies and bucket policies all go
 * through `evaluateAccess`. Pure: policies and a request in, a decision out.
 *
 *   1. Every statement of every policy that applies to the request (principal, action,
 *      resource, conditions) is collected.
 *   2. An applicable Deny anywhere → Deny (explicit deny wins over every allow).
 *   3. An applicable Allow in the resource policy that names the caller (its ARN, or "*")
 *      → Allow.
 *   4. An applicable Allow in an identity policy → Allow, except where the resource policy
 *      is a gate (`resourcePolicyGate`, a KMS key policy): then only if the resource policy
 *      also has an applicable Allow for the caller's account root (`arn:aws:iam::<acct>:root`),
 *      which is how a key policy delegates to IAM. An account-root Allow alone grants nothing.
 *   5. Otherwise → ImplicitDeny.
 *
 * A statement applies when its Principal/NotPrincipal (resource policies) admits the caller,
 * Action/NotAction admits the action (case-insensitive), Resource/NotResource admits the
 * resource (case-sensitive, `*` and `?` wildcards, policy variables in 2012-10-17 policies),
 * and its conditions hold (conditions.ts). A statement missing Action or Resource never
 * applies.
 */
import { conditionHolds, type ContextLookup } from './conditions.js';
import type { Policy, PrincipalSet, Statement } from './document.js';
import { arnMatch, wildcardMatch, type MatchOptions } from './wildcard.js';

export type Decision = 'Allow' | 'Deny' | 'ImplicitDeny';

export interface PolicyPrincipal {
  /** `arn:aws:iam::<account>:user/<name>`, `…:root`, or a service principal's name. */
  arn: string;
  accountId: string;
}

export type ContextValue = string | boolean | readonly string[] | undefined;

export interface PolicyRequest {
  /** null: an anonymous request, which only `"*"` principals admit. */
  principal: PolicyPrincipal | null;
  /** `<service>:<Action>`, e.g. `kms:Decrypt`. */
  action: string;
  /** The ARN of the resource acted on. */
  resource: string;
  /** Condition keys (any case) → value(s). aws:PrincipalArn, aws:PrincipalAccount and aws:username are filled in. */
  context?: Readonly<Record<string, ContextValue>>;
}

export interface AccessInput {
  request: PolicyRequest;
  identityPolicies?: readonly Policy[];
  resourcePolicy?: Policy;
  /** True for KMS key policies: identity policies count only where the key policy delegates to the account. */
  resourcePolicyGate?: boolean;
}

interface PolicyOutcome {
  deny: boolean;
  /** An Allow naming the caller itself (or "*"). */
  allow: boolean;
  /** An Allow for the caller's account root: a delegation to identity policies. */
  accountAllow: boolean;
}

const asValues = (value: ContextValue): readonly string[] | undefined =>
  value === undefined ? undefined : typeof value === 'string' ? [value] : typeof value === 'boolean' ? [String(value)] : value;

/** The keys filled in from the principal; the request's own context wins over them. */
function principalValue(p: PolicyPrincipal | null, key: string): readonly string[] | undefined {
  if (!p) return undefined;
  if (key === 'aws:principalarn') return [p.arn];
  if (key === 'aws:principalaccount') return [p.accountId];
  if (key !== 'aws:username') return undefined;
  const user = /^arn:aws:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(p.arn);
  return user ? [user[1]!] : undefined;
}

// Built on first use, once per evaluation: most statements test no condition and name no
// variable, so most evaluations never need it. Keys are folded once here; a caller that passes
// them in lower case already (kms-core does) folds nothing.
function lookupFor(request: PolicyRequest): ContextLookup {
  let map: Map<string, readonly string[]> | undefined;
  const build = (): Map<string, readonly string[]> => {
    const built = new Map<string, readonly string[]>();
    const context = request.context ?? {};
    for (const key in context) {
      const values = Object.hasOwn(context, key) ? asValues(context[key]) : undefined;
      if (values) built.set(key.toLowerCase(), values);
    }
    return built;
  };
  return (key) => {
    const folded = key.toLowerCase();
    return (map ??= build()).get(folded) ?? principalValue(request.principal, folded);
  };
}

function rootOf(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}

type PrincipalFit = 'none' | 'direct' | 'account';

function principalFit(set: PrincipalSet, principal: PolicyPrincipal | null): PrincipalFit {
  if (set.anyone) return 'direct';
  if (!principal) return 'none';
  if (set.aws.includes(principal.arn) || set.service.includes(principal.arn)) return 'direct';
  return set.aws.includes(rootOf(principal.accountId)) ? 'account' : 'none';
}

function anyMatch(patterns: readonly string[], match: (pattern: string) => boolean): boolean {
  return patterns.some(match);
}

/** How the statement's principal admits the caller ('none': the statement does not apply). */
function statementPrincipal(s: Statement, principal: PolicyPrincipal | null, isResourcePolicy: boolean): PrincipalFit {
  if (!isResourcePolicy) return 'direct';
  if (s.principal) return principalFit(s.principal, principal);
  if (s.notPrincipal) return principalFit(s.notPrincipal, principal) === 'none' ? 'direct' : 'none';
  return 'none';
}

const ACTION_MATCH: MatchOptions = { ignoreCase: true };

/** Action/NotAction and Resource/NotResource admit the request (conditions aside). */
function statementTargets(s: Statement, request: Pick<PolicyRequest, 'action' | 'resource'>, opts: MatchOptions): boolean {
  const actionIs = (pattern: string): boolean => wildcardMatch(pattern, request.action, ACTION_MATCH);
  if (s.action) {
    if (!anyMatch(s.action, actionIs)) return false;
  } else if (s.notAction) {
    if (anyMatch(s.notAction, actionIs)) return false;
  } else {
    return false;
  }
  const resourceIs = (pattern: string): boolean => pattern === '*' || arnMatch(pattern, request.resource, opts);
  if (s.resource) return anyMatch(s.resource, resourceIs);
  if (s.notResource) return !anyMatch(s.notResource, resourceIs);
  return false;
}

/** A statement whose principal, action and resource admit the request: only its conditions are left to test. */
interface Candidate {
  effect: Statement['effect'];
  fit: Exclude<PrincipalFit, 'none'>;
  conditions: Statement['conditions'];
}

interface PreparedPolicy {
  candidates: Candidate[];
  variables: boolean;
}

/**
 * An evaluation split in two: what depends on who asks for what on which resource (`prepareAccess`),
 * and what depends on the rest of the request's context (`decidePrepared`, the conditions). Callers
 * that see the same principal, action and resource again keep the first part; it is only valid for
 * policies without `${…}` variables, whose resource patterns read the context.
 */
export interface PreparedAccess {
  identity: PreparedPolicy[];
  resource?: PreparedPolicy;
  gate: boolean;
  /** Some candidate has conditions: the decision depends on the context. */
  conditional: boolean;
}

function variablesOf(policy: Policy, lookup: ContextLookup): MatchOptions {
  // Policy variables exist only in 2012-10-17 documents; before that `${…}` is plain text.
  return policy.version === '2012-10-17' ? { variables: (key) => lookup(key.toLowerCase())?.[0] } : {};
}

function preparePolicy(policy: Policy, request: PolicyRequest, isResourcePolicy: boolean, lookup: ContextLookup): PreparedPolicy {
  const opts = variablesOf(policy, lookup);
  const candidates: Candidate[] = [];
  for (const s of policy.statements) {
    const fit = statementPrincipal(s, request.principal, isResourcePolicy);
    if (fit !== 'none' && statementTargets(s, request, opts)) candidates.push({ effect: s.effect, fit, conditions: s.conditions });
  }
  return { candidates, variables: opts.variables !== undefined };
}

function preparedOutcome(prepared: PreparedPolicy, lookup: ContextLookup): PolicyOutcome {
  const opts: MatchOptions = prepared.variables ? { variables: (key) => lookup(key.toLowerCase())?.[0] } : {};
  const outcome: PolicyOutcome = { deny: false, allow: false, accountAllow: false };
  for (const c of prepared.candidates) {
    if (!c.conditions.every((test) => conditionHolds(test, lookup, opts))) continue;
    if (c.effect === 'Deny') outcome.deny = true;
    else if (c.fit === 'direct') outcome.allow = true;
    else outcome.accountAllow = true;
  }
  return outcome;
}

export function evaluatePolicy(policy: Policy, request: PolicyRequest, isResourcePolicy: boolean): PolicyOutcome {
  const lookup = lookupFor(request);
  return preparedOutcome(preparePolicy(policy, request, isResourcePolicy, lookup), lookup);
}

/** The first half of `evaluateAccess`; the request's context is read only for policy variables. */
export function prepareAccess(input: AccessInput): PreparedAccess {
  const lookup = lookupFor(input.request);
  const identity = (input.identityPolicies ?? []).map((p) => preparePolicy(p, input.request, false, lookup));
  const resource = input.resourcePolicy ? preparePolicy(input.resourcePolicy, input.request, true, lookup) : undefined;
  const conditional = [...identity, ...(resource ? [resource] : [])].some((p) => p.candidates.some((c) => c.conditions.length > 0));
  return { identity, ...(resource ? { resource } : {}), gate: input.resourcePolicyGate === true, conditional };
}

/** The second half: the decision for a request whose principal, action and resource `prepared` was made for. */
export function decidePrepared(prepared: PreparedAccess, request: PolicyRequest): Decision {
  const lookup = lookupFor(request);
  const identity = prepared.identity.map((p) => preparedOutcome(p, lookup));
  const resource = prepared.resource ? preparedOutcome(prepared.resource, lookup) : undefined;
  if (resource?.deny || identity.some((o) => o.deny)) return 'Deny';
  if (resource?.allow) return 'Allow';
  const identityAllows = identity.some((o) => o.allow);
  if (!identityAllows) return 'ImplicitDeny';
  if (prepared.gate) return resource?.accountAllow ? 'Allow' : 'ImplicitDeny';
  return 'Allow';
}

export function evaluateAccess(input: AccessInput): Decision {
  return decidePrepared(prepareAccess(input), input.request);
}
