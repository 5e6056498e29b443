/**
 * The POST policy of a browser form upload: the base64 JSON document the form's signature
 * covers, parsed strictly and checked against the form, as Amazon S3 answers.
 *
 * Document (400 InvalidPolicyDocument, message "Invalid Policy: ..." when it is not this):
 * 1. base64 text of a UTF-8 JSON object whose members are exactly `expiration` and
 *    `conditions` (case-sensitive; another member is "Unexpected: '<name>'").
 * 2. `expiration`: ISO 8601 in UTC, `yyyy-MM-ddTHH:mm:ss[.fff]Z`.
 * 3. `conditions`: a list, each item either
 *    - `{"<field>": "<value>"}`: one member whose value is a string (exact match), or
 *    - `["eq" | "starts-with", "$<field>", "<value>"]`, or
 *    - `["content-length-range", <min>, <max>]`: integers (or strings of digits) ≥ 0.
 *    Operators and field names match case-insensitively; values case-sensitively.
 *
 * Form (403 AccessDenied "Invalid according to Policy: ..."):
 * 4. Expired: now after `expiration` → "Policy expired."
 * 5. Each condition, in order, against the form's fields (after `${filename}` expansion) and
 *    the request's bucket for `bucket`: a field the form lacks fails its condition, even
 *    `starts-with ""`. `starts-with` on Content-Type takes a comma-separated list, each item
 *    of which must start with the value. A failure prints the condition as S3 does,
 *    `["eq", "$key", "v"]`, simple conditions as `eq`.
 * 6. Every field must be named by some condition, except `policy`, `x-amz-signature`,
 *    `file`, SigV2's `AWSAccessKeyId` and `signature`, and `x-ignore-*`
 *    → "Extra input fields: <names as sent>".
 * The file's size against `content-length-range` is checked as it streams (PostObject.ts).
 */
import { S3Error } from '../http/errors.js';
import type { PostForm } from './form-fields.js';

export interface LengthRange {
  min: number;
  max: number;
}

interface FieldCondition {
  kind: 'eq' | 'starts-with';
  /** Lower-case field name; '' when the policy named no field (no '$'). */
  field: string;
  value: string;
  printed: string;
}

type Condition = FieldCondition | { kind: 'content-length-range'; range?: LengthRange; printed: string };

export interface PostPolicy {
  expiration: Date;
  conditions: Condition[];
}

const UNCOVERED = new Set(['policy', 'x-amz-signature', 'file', 'awsaccesskeyid', 'signature']);
const EXPIRATION = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;

function invalid(reason: string): S3Error {
  return new S3Error('InvalidPolicyDocument', `Invalid Policy: ${reason}`);
}

function denied(reason: string): S3Error {
  return new S3Error('AccessDenied', `Invalid according to Policy: ${reason}`);
}

/** S3 prints a condition as a JSON list with ", " between its items. */
function printCondition(items: readonly unknown[]): string {
  return `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;
}

function parseExpiration(value: unknown): Date {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const m = typeof value === 'string' ? EXPIRATION.exec(value) : null;
  const date = m ? new Date(value as string) : undefined;
  if (!m || !date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 19) !== `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`) {
    throw invalid(`Invalid 'expiration' value: '${text}'`);
  }
  return date;
}

/** A bound of content-length-range: an integer, or a string of digits; undefined when neither. */
function lengthBound(value: unknown): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw invalid('Invalid JSON.');
    return value;
  }
  if (typeof value === 'string' && /^-?\d{1,16}$/.test(value)) return Number(value);
  return undefined;
}

function parseCondition(item: unknown): Condition {
  if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
    const entries = Object.entries(item);
    if (entries.length !== 1) throw invalid('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
    const [name, value] = entries[0];
    if (value === null) throw invalid('Invalid JSON.');
    if (typeof value !== 'string') throw invalid('Invalid Simple-Condition: value must be a string.');
    return { kind: 'eq', field: name.toLowerCase(), value, printed: printCondition(['eq', `$${name}`, value]) };
  }
  if (!Array.isArray(item)) throw invalid('Invalid condition test: must be a List or Object.');
  if (item.length === 0) throw invalid('Invalid Condition: missing operation identifier.');
  const [op, ...args] = item as unknown[];
  if (typeof op !== 'string') throw invalid('Invalid Condition: missing operation identifier.');
  const kind = op.toLowerCase();
  if (kind !== 'eq' && kind !== 'starts-with' && kind !== 'content-length-range') throw invalid(`Invalid Condition: unknown operation '${op}'.`);
  if (args.length !== 2) throw invalid(`Invalid ${op}: wrong number of arguments.`);
  const printed = printCondition(item);
  if (kind === 'content-length-range') {
    const [min, max] = args.map(lengthBound);
    // Bounds that are not numbers at all fail as a condition, as S3 answers them (403).
    if (min === undefined || max === undefined) return { kind, printed };
    if (min < 0 || max < 0) throw invalid(`Invalid ${op}: the bounds must not be negative.`);
    return { kind, range: { min, max }, printed };
  }
  const [name, value] = args;
  if (typeof name !== 'string' || typeof value !== 'string') throw invalid('Invalid JSON.');
  // A name without its '$' names no field: the condition can only fail.
  const field = name.startsWith('$') ? name.slice(1).toLowerCase() : '';
  return { kind, field, value, printed };
}

/** Decodes and parses the form's `policy` field (InvalidPolicyDocument when it is not a policy). */
export function parsePostPolicy(base64Text: string): PostPolicy {
  const compact = base64Text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw invalid('invalid Base64 encoding.');
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(compact, 'base64')));
  } catch {
    throw invalid('Invalid JSON.');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw invalid('Invalid JSON.');
  const members = doc as Record<string, unknown>;
  const unexpected = Object.keys(members).find((name) => name !== 'expiration' && name !== 'conditions');
  if (unexpected !== undefined) throw invalid(`Unexpected: '${unexpected.toLowerCase()}'`);
  if (!('expiration' in members)) throw invalid('Policy missing expiration.');
  if (!('conditions' in members)) throw invalid('Policy missing conditions.');
  if (!Array.isArray(members.conditions)) throw invalid("Invalid 'conditions' value: must be a List.");
  return { expiration: parseExpiration(members.expiration), conditions: members.conditions.map(parseCondition) };
}

function holds(condition: FieldCondition, actual: string | undefined): boolean {
  if (actual === undefined || condition.field === '') return false;
  if (condition.kind === 'eq') return actual === condition.value;
  // Only Content-Type is a list: "image/png,image/gif" passes starts-with "image/".
  const items = condition.field === 'content-type' ? actual.split(',').map((v) => v.trim()) : [actual];
  return items.every((v) => v.startsWith(condition.value));
}

/**
 * Checks the policy against the form (steps 4 to 6) and returns the file's allowed size
 * range, if the policy sets one. The bucket condition compares the bucket the form was sent to.
 */
export function checkPostPolicy(policy: PostPolicy, form: PostForm, bucket: string, now: Date): LengthRange | undefined {
  if (now.getTime() > policy.expiration.getTime()) throw denied('Policy expired.');
  const covered = new Set<string>();
  let range: LengthRange | undefined;
  for (const condition of policy.conditions) {
    if (condition.kind === 'content-length-range') {
      if (!condition.range) throw denied(`Policy Condition failed: ${condition.printed}`);
      range = condition.range;
      continue;
    }
    covered.add(condition.field);
    const actual = condition.field === 'bucket' ? bucket : form.value(condition.field);
    if (!holds(condition, actual)) throw denied(`Policy Condition failed: ${condition.printed}`);
  }
  const extra = form.names().filter((name) => {
    const lower = name.toLowerCase();
    return !UNCOVERED.has(lower) && !lower.startsWith('x-ignore-') && !covered.has(lower);
  });
  if (extra.length > 0) throw denied(`Extra input fields: ${extra.join(', ')}`);
  return range;
}
