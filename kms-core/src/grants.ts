// Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant. A grant lives
// in its key's record (so the keystore MAC covers it) and takes effect at once; grant-match.ts
// decides whether one allows a request. Grant tokens name their grant and are not secret:
// RetireGrant still checks who is asking.

import { randomBytes } from 'node:crypto';
import { authorize, authorizeAccount, accessDenied, policyDecision } from './authorize.js';
import type { CoreContext } from './core-context.js';
import { dryRunSucceeded, KmsError } from './errors.js';
import { grantFor, isGrantee } from './grant-match.js';
import { disabled, draftKey, pendingDeletion } from './key-records.js';
import { validateKeyId } from './lifecycle.js';
import { paginate } from './paging.js';
import type { GrantConstraints, GrantRecord, KeyRecord } from './records.js';
import { authorizedKey, resolveKey } from './resolve.js';
import type {
  Caller,
  CreateGrantInput,
  GrantConstraintsInput,
  GrantListEntry,
  ListGrantsInput,
  ListGrantsOutput,
  ListRetirableGrantsInput,
  RetireGrantInput,
  RevokeGrantInput,
} from './types.js';
import { Violations } from './validate.js';

const GRANT_OPERATIONS = [
  'Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'Sign', 'Verify',
  'GetPublicKey', 'CreateGrant', 'RetireGrant', 'DescribeKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
  'GenerateMac', 'VerifyMac', 'DeriveSharedSecret',
] as const;
/** What a symmetric encryption key can do; the rest of the list is for other key types. */
const SYMMETRIC_OPERATIONS: ReadonlySet<string> = new Set([
  'Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'CreateGrant',
  'RetireGrant', 'DescribeKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
]);
const MAX_GRANTS_PER_KEY = 50_000;
const MAX_CONSTRAINT_PAIRS = 8;
const PRINCIPAL = /^[\w+=,.@:/-]+$/;
const GRANT_NAME = /^[a-zA-Z0-9:/_-]+$/;

interface TokenBody {
  k: string;
  g: string;
  n: string;
}

function newToken(keyId: string, grantId: string): string {
  const body: TokenBody = { k: keyId, g: grantId, n: randomBytes(16).toString('hex') };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

function readToken(token: string): TokenBody {
  const invalid = new KmsError('InvalidGrantTokenException', 'Invalid grant token');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const t = body as Partial<TokenBody>;
  if (typeof body !== 'object' || body === null || typeof t.k !== 'string' || typeof t.g !== 'string' || typeof t.n !== 'string') throw invalid;
  return t as TokenBody;
}

function validateConstraints(violations: Violations, constraints: GrantConstraintsInput | undefined): void {
  if (!constraints) return;
  for (const member of ['EncryptionContextSubset', 'EncryptionContextEquals'] as const) {
    const pairs = constraints[member];
    if (pairs == null) continue;
    const name = `constraints.${member.charAt(0).toLowerCase()}${member.slice(1)}`;
    if (typeof pairs !== 'object' || pairs === null || Array.isArray(pairs) || Object.values(pairs).some((v) => typeof v !== 'string')) {
      violations.add(`Value at '${name}' failed to satisfy constraint: Member must be a map of strings`);
      continue;
    }
    if (Object.keys(pairs).length > MAX_CONSTRAINT_PAIRS) {
      violations.add(`Value at '${name}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_CONSTRAINT_PAIRS}`);
    }
    for (const [k, v] of Object.entries(pairs)) {
      if (k.length > 384 || v.length > 384) violations.add(`Value at '${name}' failed to satisfy constraint: Map keys and values must have length less than or equal to 384`);
    }
  }
}

function storedConstraints(input: GrantConstraintsInput | undefined): GrantConstraints | undefined {
  if (!input) return undefined;
  const out: GrantConstraints = {};
  if (input.EncryptionContextSubset) out.EncryptionContextSubset = { ...input.EncryptionContextSubset };
  if (input.EncryptionContextEquals) out.EncryptionContextEquals = { ...input.EncryptionContextEquals };
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Order-free comparison for CreateGrant's Name idempotency. */
function sameGrant(grant: GrantRecord, wanted: Omit<GrantRecord, 'grantId' | 'createdAt'>): boolean {
  const sorted = (ops: string[]): string => [...ops].sort().join(',');
  const canonical = (c: GrantConstraints | undefined): string =>
    JSON.stringify(c ? { s: Object.entries(c.EncryptionContextSubset ?? {}).sort(), e: Object.entries(c.EncryptionContextEquals ?? {}).sort() } : null);
  return (
    grant.name === wanted.name &&
    grant.granteePrincipal === wanted.granteePrincipal &&
    grant.retiringPrincipal === wanted.retiringPrincipal &&
    sorted(grant.operations) === sorted(wanted.operations) &&
    canonical(grant.constraints) === canonical(wanted.constraints)
  );
}

/** CreateGrant needs a key that is not disabled or pending deletion; PendingImport is fine. */
function requireGrantable(key: KeyRecord): void {
  if (key.state === 'Disabled') throw disabled(key);
  if (key.state === 'PendingDeletion') throw pendingDeletion(key);
}

/**
 * A caller allowed CreateGrant only by a grant may hand on no more than that grant holds:
 * a subset of its operations, under at least its constraints.
 */
function requireNarrower(parent: GrantRecord, operations: string[], constraints: GrantConstraints | undefined): void {
  const wider = operations.some((op) => !parent.operations.includes(op)) || JSON.stringify(parent.constraints ?? null) !== JSON.stringify(constraints ?? parent.constraints ?? null);
  if (wider) throw new KmsError('AccessDeniedException', 'The grant that allows this CreateGrant does not allow a grant with these operations or constraints.');
}

export async function createGrant(ctx: CoreContext, input: CreateGrantInput, caller: Caller): Promise<{ GrantToken: string; GrantId: string }> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.required('granteePrincipal', input.GranteePrincipal);
  violations.length('granteePrincipal', input.GranteePrincipal, 1, 256);
  violations.pattern('granteePrincipal', input.GranteePrincipal, PRINCIPAL);
  violations.length('retiringPrincipal', input.RetiringPrincipal, 1, 256);
  violations.pattern('retiringPrincipal', input.RetiringPrincipal, PRINCIPAL);
  violations.required('operations', input.Operations);
  (input.Operations ?? []).forEach((op, i) => violations.oneOf(`operations.${i + 1}.member`, op, GRANT_OPERATIONS));
  violations.length('name', input.Name, 1, 256);
  violations.pattern('name', input.Name, GRANT_NAME);
  validateConstraints(violations, input.Constraints);
  (input.GrantTokens ?? []).forEach((t, i) => violations.length(`grantTokens.${i + 1}.member`, t, 1, 8192, true));
  violations.throwIfAny();
  if (input.Operations.length === 0) throw new KmsError('ValidationException', 'Grant operations must not be empty.');
  const unsupported = input.Operations.find((op) => !SYMMETRIC_OPERATIONS.has(op));
  if (unsupported) throw new KmsError('ValidationException', `Grant operation ${unsupported} is not valid for a symmetric encryption KMS key.`);
  const operations = [...new Set(input.Operations)];
  const constraints = storedConstraints(input.Constraints);
  const key = await resolveKey(ctx, input.KeyId, { allowAlias: false });
  const context = { 'kms:GrantOperations': operations, 'kms:GranteePrincipal': input.GranteePrincipal, 'kms:RetiringPrincipal': input.RetiringPrincipal };
  if (policyDecision(caller, 'CreateGrant', key, { context }) !== 'Allow') {
    const parent = grantFor(key, caller, 'CreateGrant', undefined);
    if (!parent) authorize(caller, 'CreateGrant', key, { context });
    else requireNarrower(parent, operations, constraints);
  }
  requireGrantable(key);
  if (input.DryRun === true) throw dryRunSucceeded();
  const wanted: Omit<GrantRecord, 'grantId' | 'createdAt'> = {
    ...(input.Name !== undefined ? { name: input.Name } : {}),
    granteePrincipal: input.GranteePrincipal,
    ...(input.RetiringPrincipal !== undefined ? { retiringPrincipal: input.RetiringPrincipal } : {}),
    issuingAccount: `arn:aws:iam::${caller.accountId}:root`,
    operations,
    ...(constraints ? { constraints } : {}),
  };
  const grantId = await ctx.store.mutate((doc) => {
    const draft = draftKey(doc, key);
    requireGrantable(draft);
    const grants = (draft.grants ??= []);
    const existing = input.Name !== undefined ? grants.find((g) => sameGrant(g, wanted)) : undefined;
    if (existing) return existing.grantId;
    if (grants.length >= MAX_GRANTS_PER_KEY) throw new KmsError('LimitExceededException', `A KMS key can have at most ${MAX_GRANTS_PER_KEY} grants.`);
    const grant: GrantRecord = { grantId: randomBytes(32).toString('hex'), createdAt: ctx.now().toISOString(), ...wanted };
    grants.push(grant);
    return grant.grantId;
  });
  return { GrantToken: newToken(key.keyId, grantId), GrantId: grantId };
}

function listEntry(key: KeyRecord, g: GrantRecord): GrantListEntry {
  return {
    KeyId: key.arn,
    GrantId: g.grantId,
    ...(g.name !== undefined ? { Name: g.name } : {}),
    CreationDate: new Date(g.createdAt),
    GranteePrincipal: g.granteePrincipal,
    ...(g.retiringPrincipal !== undefined ? { RetiringPrincipal: g.retiringPrincipal } : {}),
    IssuingAccount: g.issuingAccount,
    Operations: [...g.operations],
    ...(g.constraints ? { Constraints: structuredClone(g.constraints) } : {}),
  };
}

function validateList(violations: Violations, input: { Limit?: number; Marker?: string }): void {
  violations.range('limit', input.Limit, 1, 100);
  violations.length('marker', input.Marker, 1, 1024);
}

function page(entries: { key: KeyRecord; grant: GrantRecord }[], input: { Limit?: number; Marker?: string }): ListGrantsOutput {
  const result = paginate(entries, (e) => `${e.grant.createdAt}/${e.key.keyId}/${e.grant.grantId}`, input.Limit ?? 50, input.Marker);
  return {
    Grants: result.items.map((e) => listEntry(e.key, e.grant)),
    Truncated: result.truncated,
    ...(result.nextMarker !== undefined ? { NextMarker: result.nextMarker } : {}),
  };
}

export async function listGrants(ctx: CoreContext, input: ListGrantsInput, caller: Caller): Promise<ListGrantsOutput> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  validateList(violations, input);
  violations.length('grantId', input.GrantId, 1, 128);
  violations.length('granteePrincipal', input.GranteePrincipal, 1, 256);
  violations.throwIfAny();
  const key = await authorizedKey(ctx, input.KeyId, { allowAlias: false, action: 'ListGrants', caller });
  const grants = (key.grants ?? []).filter(
    (g) => (input.GrantId === undefined || g.grantId === input.GrantId) && (input.GranteePrincipal === undefined || g.granteePrincipal === input.GranteePrincipal),
  );
  return page(grants.map((grant) => ({ key, grant })), input);
}

export function listRetirableGrants(ctx: CoreContext, input: ListRetirableGrantsInput, caller: Caller): ListGrantsOutput {
  const violations = new Violations();
  violations.required('retiringPrincipal', input.RetiringPrincipal);
  violations.length('retiringPrincipal', input.RetiringPrincipal, 1, 256);
  validateList(violations, input);
  violations.throwIfAny();
  authorizeAccount(caller, 'ListRetirableGrants', ctx.scope.accountId);
  const entries = ctx.store.keys().flatMap((key) => (key.grants ?? []).filter((g) => g.retiringPrincipal === input.RetiringPrincipal).map((grant) => ({ key, grant })));
  return page(entries, input);
}

function grantNotFound(grantId: string): KmsError {
  return new KmsError('NotFoundException', `Grant ID ${grantId} not found`);
}

async function removeGrant(ctx: CoreContext, key: KeyRecord, grantId: string): Promise<void> {
  await ctx.store.mutate((doc) => {
    const draft = draftKey(doc, key);
    const index = (draft.grants ?? []).findIndex((g) => g.grantId === grantId);
    if (index === -1) throw grantNotFound(grantId);
    draft.grants!.splice(index, 1);
    if (draft.grants!.length === 0) delete draft.grants;
  });
}

/** By the retiring principal, by a grantee whose grant includes RetireGrant, or by whoever the account's policies allow kms:RetireGrant. */
export async function retireGrant(ctx: CoreContext, input: RetireGrantInput, caller: Caller): Promise<void> {
  const violations = new Violations();
  violations.length('grantToken', input.GrantToken, 1, 8192, true);
  if (input.KeyId !== undefined) validateKeyId(violations, input.KeyId);
  violations.length('grantId', input.GrantId, 1, 128);
  violations.throwIfAny();
  let keyRef: string;
  let grantId: string;
  if (input.GrantToken !== undefined) {
    const token = readToken(input.GrantToken);
    keyRef = token.k;
    grantId = token.g;
    if (input.GrantId !== undefined && input.GrantId !== grantId) throw new KmsError('InvalidGrantIdException', 'The grant ID does not match the grant token.');
  } else {
    if (input.KeyId === undefined || input.GrantId === undefined) {
      throw new KmsError('ValidationException', 'Either GrantToken, or both KeyId and GrantId must be specified.');
    }
    keyRef = input.KeyId;
    grantId = input.GrantId;
  }
  const key = await resolveKey(ctx, keyRef, { allowAlias: false });
  const grant = (key.grants ?? []).find((g) => g.grantId === grantId);
  if (!grant) throw grantNotFound(grantId);
  const mayRetire =
    grant.retiringPrincipal === caller.arn ||
    (isGrantee(grant, caller) && grant.operations.includes('RetireGrant')) ||
    policyDecision(caller, 'RetireGrant', key) === 'Allow';
  if (!mayRetire) throw accessDenied(caller, 'RetireGrant', key.arn, 'no-resource');
  if (input.DryRun === true) throw dryRunSucceeded();
  await removeGrant(ctx, key, grantId);
}

export async function revokeGrant(ctx: CoreContext, input: RevokeGrantInput, caller: Caller): Promise<void> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.required('grantId', input.GrantId);
  violations.length('grantId', input.GrantId, 1, 128);
  violations.throwIfAny();
  const key = await authorizedKey(ctx, input.KeyId, { allowAlias: false, action: 'RevokeGrant', caller });
  if (!(key.grants ?? []).some((g) => g.grantId === input.GrantId)) throw grantNotFound(input.GrantId);
  if (input.DryRun === true) throw dryRunSucceeded();
  await removeGrant(ctx, key, input.GrantId);
}
