// The IAM policy language: strict documents (document.ts) and the one evaluator (evaluate.ts),
// shared by identity policies, KMS key policies and S3 bucket policies.
export { PolicyDocumentError, parsePolicy } from './document.js';
export type { ConditionTest, Effect, Policy, PolicyKind, PrincipalSet, Statement } from './document.js';
export { decidePrepared, evaluateAccess, evaluatePolicy, prepareAccess } from './evaluate.js';
export type { AccessInput, ContextValue, Decision, PolicyPrincipal, PolicyRequest, PreparedAccess } from './evaluate.js';
export { arnMatch, wildcardMatch } from './wildcard.js';
