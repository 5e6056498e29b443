/**
 * IAM policy documents (identity, key and bucket policies): strict parsing into the typed
 * form the evaluator reads. A document is refused with `PolicyDocumentError`, whose message
 * is the one AWS gives in its MalformedPolicyDocument error; each service maps it to its own
 * code (IAM MalformedPolicyDocument, KMS MalformedPolicyDocumentException, S3 MalformedPolicy).
 *
 * Grammar accepted (IAM JSON policy reference):
 *   Policy     = { Version?, Id?, Statement: Statement | Statement[] }     (no other member)
 *   Version    = "2012-10-17" | "2008-10-17"      identity policies: "2012-10-17" only
 *   Statement  = { Sid?, Effect: "Allow"|"Deny", Principal|NotPrincipal (resource policies
 *                only, and required there), Action|NotAction, Resource|NotResource,
 *                Condition? }                     (no other member; never both of a pair)
 *   Principal  = "*" | { AWS?: P|P[], Service?: S|S[] }, P = "*" | 12-digit account |
 *                arn:aws:iam::<account>:(root|user/…|role/…)
 *   Action     = "*" | "<vendor>:<pattern>"        pattern may hold * and ?
 *   Resource   = "*" | "arn:<partition>:…"
 *   Condition  = { [ForAnyValue:|ForAllValues:]<Operator>[IfExists]: { <key>: V | V[] } },
 *                V a string, number or boolean (kept as its string form)
 *
 * Identity policies must name actions and resources; in a resource policy a statement
 * without them is accepted and simply never applies (as AWS KMS does).
 */

export type PolicyKind = 'identity' | 'resource';
export type Effect = 'Allow' | 'Deny';

export class PolicyDocumentError extends Error {
  override readonly name = 'PolicyDocumentError';
}

export interface PrincipalSet {
  /** "*" (everyone, anonymous included) was named. */
  anyone: boolean;
  /** Exact ARNs, account ids normalised to `arn:aws:iam::<account>:root`. */
  aws: string[];
  service: string[];
}

export type SetQualifier = 'ForAnyValue' | 'ForAllValues';

export interface ConditionTest {
  /** The operator without qualifier or IfExists, e.g. "StringLike". */
  operator: ConditionOperator;
  qualifier?: SetQualifier;
  ifExists: boolean;
  /** The condition key as written; looked up case-insensitively. */
  key: string;
  values: string[];
}

export interface Statement {
  sid?: string;
  effect: Effect;
  principal?: PrincipalSet;
  notPrincipal?: PrincipalSet;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  conditions: ConditionTest[];
}

export interface Policy {
  version?: '2012-10-17' | '2008-10-17';
  statements: Statement[];
}

export const CONDITION_OPERATORS = [
  'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike',
  'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
  'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals',
  'Bool', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'Null',
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_MEMBERS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const SYNTAX = 'Syntax errors in policy.';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function syntax(cond: unknown): asserts cond {
  if (!cond) throw new PolicyDocumentError(SYNTAX);
}

/** A string or a non-empty list of strings (an empty list counts as missing). */
function stringList(value: Json | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return [value];
  syntax(Array.isArray(value) && value.every((v) => typeof v === 'string'));
  return value.length === 0 ? undefined : (value as string[]);
}

const ACCOUNT = /^\d{12}$/;
const IAM_PRINCIPAL = /^arn:aws:iam::\d{12}:(root|(user|role)\/[\w+=,.@/-]+)$/;

function principalSet(value: Json | undefined): PrincipalSet | undefined {
  if (value === undefined) return undefined;
  if (value === '*') return { anyone: true, aws: [], service: [] };
  syntax(isObject(value));
  const set: PrincipalSet = { anyone: false, aws: [], service: [] };
  for (const [type, names] of Object.entries(value)) {
    const list = stringList(names) ?? [];
    if (type === 'AWS') {
      for (const name of list) {
        if (name === '*') set.anyone = true;
        else if (ACCOUNT.test(name)) set.aws.push(`arn:aws:iam::${name}:root`);
        else if (IAM_PRINCIPAL.test(name)) set.aws.push(name);
        else throw new PolicyDocumentError('Invalid principal in policy');
      }
    } else if (type === 'Service') {
      set.service.push(...list);
    } else {
      throw new PolicyDocumentError('Invalid principal in policy');
    }
  }
  return set;
}

function checkAction(action: string): void {
  if (action === '*') return;
  const parts = action.split(':');
  if (parts.length === 1) throw new PolicyDocumentError('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
  if (parts.length > 2) throw new PolicyDocumentError('Actions/Condition can contain only one colon.');
  if (!/^[a-zA-Z0-9.-]+$/.test(parts[0]!)) throw new PolicyDocumentError(`Vendor ${parts[0]} is not valid`);
}

function checkResource(resource: string): void {
  if (resource === '*') return;
  const parts = resource.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') throw new PolicyDocumentError(`Resource ${resource} must be in ARN format or "*".`);
  if (!['aws', 'aws-cn', 'aws-us-gov', '*'].includes(parts[1]!)) {
    throw new PolicyDocumentError(`Partition "${parts[1]}" is not valid for resource "${resource}".`);
  }
  if (parts[2] === '' || /[*?]/.test(parts[2]!)) throw new PolicyDocumentError('Resource vendor must be fully qualified and cannot contain regexes.');
}

function parseOperator(name: string): Pick<ConditionTest, 'operator' | 'qualifier' | 'ifExists'> {
  let rest = name;
  let qualifier: SetQualifier | undefined;
  for (const q of ['ForAnyValue', 'ForAllValues'] as const) {
    if (rest.startsWith(`${q}:`)) {
      qualifier = q;
      rest = rest.slice(q.length + 1);
    }
  }
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  syntax((CONDITION_OPERATORS as readonly string[]).includes(rest));
  // Null tests presence itself: neither a qualifier nor IfExists means anything to it.
  syntax(rest !== 'Null' || (!ifExists && qualifier === undefined));
  return { operator: rest as ConditionOperator, qualifier, ifExists };
}

function conditionValues(value: Json): string[] {
  const list = Array.isArray(value) ? value : [value];
  syntax(list.length > 0);
  return list.map((v) => {
    syntax(typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
    return String(v);
  });
}

function conditions(value: Json | undefined): ConditionTest[] {
  if (value === undefined) return [];
  syntax(isObject(value));
  const tests: ConditionTest[] = [];
  for (const [operatorName, block] of Object.entries(value)) {
    const op = parseOperator(operatorName);
    syntax(isObject(block));
    for (const [key, values] of Object.entries(block)) {
      const vendor = key.split(':');
      if (vendor.length < 2 || vendor[0] === '') throw new PolicyDocumentError('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
      if (op.qualifier === 'ForAllValues' && /^kms:encryptioncontext:/i.test(key)) {
        // AWS KMS refuses this on save: every request holds at most one value per context key.
        throw new PolicyDocumentError(`The ForAllValues set operator cannot be used with the single-valued condition key ${key}.`);
      }
      tests.push({ ...op, key, values: conditionValues(values) });
    }
  }
  return tests;
}

function parseStatement(raw: Json, kind: PolicyKind): Statement {
  syntax(isObject(raw));
  for (const member of Object.keys(raw)) syntax(STATEMENT_MEMBERS.has(member));
  syntax(!('Action' in raw && 'NotAction' in raw));
  syntax(!('Resource' in raw && 'NotResource' in raw));
  syntax(!('Principal' in raw && 'NotPrincipal' in raw));
  syntax(raw.Sid === undefined || typeof raw.Sid === 'string');
  syntax(typeof raw.Effect === 'string');
  // The effect is matched case-sensitively, after a syntax check that is not.
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') {
    syntax(['allow', 'deny'].includes(raw.Effect.toLowerCase()));
    throw new PolicyDocumentError('The policy failed legacy parsing');
  }
  const hasPrincipal = 'Principal' in raw || 'NotPrincipal' in raw;
  if (kind === 'identity' && hasPrincipal) throw new PolicyDocumentError('Policy document should not specify a principal.');
  if (kind === 'resource' && !hasPrincipal) throw new PolicyDocumentError('Policy statement must contain a principal.');
  const statement: Statement = {
    effect: raw.Effect,
    principal: principalSet(raw.Principal),
    notPrincipal: principalSet(raw.NotPrincipal),
    action: stringList(raw.Action),
    notAction: stringList(raw.NotAction),
    resource: stringList(raw.Resource),
    notResource: stringList(raw.NotResource),
    conditions: conditions(raw.Condition),
  };
  if (typeof raw.Sid === 'string') statement.sid = raw.Sid;
  for (const list of [statement.resource, statement.notResource]) list?.forEach(checkResource);
  return statement;
}

/** Parses and validates `text` as a policy of `kind`; throws PolicyDocumentError. */
export function parsePolicy(text: string, kind: PolicyKind): Policy {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new PolicyDocumentError(SYNTAX);
  }
  syntax(isObject(raw));
  for (const member of Object.keys(raw)) syntax(TOP_LEVEL.has(member));
  syntax(raw.Version === undefined || raw.Version === '2012-10-17' || raw.Version === '2008-10-17');
  syntax(raw.Id === undefined || typeof raw.Id === 'string');
  const list = Array.isArray(raw.Statement) ? raw.Statement : raw.Statement === undefined ? [] : [raw.Statement];
  syntax(list.length > 0);
  const statements = list.map((s) => parseStatement(s, kind));
  if (kind === 'identity' && raw.Version !== '2012-10-17') throw new PolicyDocumentError('Policy document must be version 2012-10-17 or greater.');
  const sids = statements.map((s) => s.sid).filter((sid): sid is string => sid !== undefined && sid !== '');
  if (new Set(sids).size !== sids.length) throw new PolicyDocumentError('Statement IDs (SID) in a single policy must be unique.');
  if (kind === 'identity') {
    if (statements.some((s) => !s.action && !s.notAction)) throw new PolicyDocumentError('Policy statement must contain actions.');
    if (statements.some((s) => !s.resource && !s.notResource)) throw new PolicyDocumentError('Policy statement must contain resources.');
  }
  for (const s of statements) [...(s.action ?? []), ...(s.notAction ?? [])].forEach(checkAction);
  return { version: raw.Version as Policy['version'], statements };
}
