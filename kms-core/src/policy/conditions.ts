/**
 * Condition blocks. A statement's Condition holds when every test in it holds (operators and
 * keys are ANDed); a test holds when the request's value matches any of the policy's values.
 *
 *   request values R for the key (missing key: R = [])   policy values P
 *   plain:         R = [] → IfExists or negated operator; else positive: ∃r∃p match,
 *                  negated: ∀r ∀p ¬match
 *   ForAnyValue:   R = [] → false;  positive ∃r∃p match;  negated ∃r∀p ¬match
 *   ForAllValues:  R = [] → true;   positive ∀r∃p match;  negated ∀r∀p ¬match
 *   Null:          "true" holds when the key is missing, "false" when it is present
 *
 * Condition key names are case-insensitive; values compare as each operator says.
 */
import { BlockList, isIP } from 'node:net';
import type { ConditionOperator, ConditionTest } from './document.js';
import { arnMatch, variableValue, wildcardMatch, type MatchOptions } from './wildcard.js';

/** The request's condition keys, by lower-case name. */
export type ContextLookup = (key: string) => readonly string[] | undefined;

type Matcher = (requestValue: string, policyValue: string, opts: MatchOptions) => boolean;

function numeric(compare: (a: number, b: number) => boolean): Matcher {
  return (r, p) => {
    const a = Number(r);
    const b = Number(p);
    return r.trim() !== '' && p.trim() !== '' && Number.isFinite(a) && Number.isFinite(b) && compare(a, b);
  };
}

/** Dates as ISO 8601 or epoch seconds, as IAM accepts them. */
function instant(text: string): number {
  return /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
}

function date(compare: (a: number, b: number) => boolean): Matcher {
  return (r, p) => {
    const a = instant(r);
    const b = instant(p);
    return Number.isFinite(a) && Number.isFinite(b) && compare(a, b);
  };
}

/** An IPv4-mapped IPv6 address (how a dual-stack socket reports IPv4) as IPv4. */
function plainIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

function ipInRange(r: string, p: string): boolean {
  const ip = plainIp(r);
  const [base, bits] = p.split('/');
  const family = isIP(base ?? '');
  if (isIP(ip) === 0 || family === 0) return false;
  const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return false;
  const list = new BlockList();
  list.addSubnet(base!, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6');
}

const MATCHERS: Record<ConditionOperator, { match: Matcher; negated: boolean }> = {
  StringEquals: { match: (r, p, o) => r === resolveLiteral(p, o), negated: false },
  StringNotEquals: { match: (r, p, o) => r === resolveLiteral(p, o), negated: true },
  StringEqualsIgnoreCase: { match: (r, p, o) => r.toLowerCase() === resolveLiteral(p, o)?.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { match: (r, p, o) => r.toLowerCase() === resolveLiteral(p, o)?.toLowerCase(), negated: true },
  StringLike: { match: (r, p, o) => wildcardMatch(p, r, o), negated: false },
  StringNotLike: { match: (r, p, o) => wildcardMatch(p, r, o), negated: true },
  NumericEquals: { match: numeric((a, b) => a === b), negated: false },
  NumericNotEquals: { match: numeric((a, b) => a === b), negated: true },
  NumericLessThan: { match: numeric((a, b) => a < b), negated: false },
  NumericLessThanEquals: { match: numeric((a, b) => a <= b), negated: false },
  NumericGreaterThan: { match: numeric((a, b) => a > b), negated: false },
  NumericGreaterThanEquals: { match: numeric((a, b) => a >= b), negated: false },
  DateEquals: { match: date((a, b) => a === b), negated: false },
  DateNotEquals: { match: date((a, b) => a === b), negated: true },
  DateLessThan: { match: date((a, b) => a < b), negated: false },
  DateLessThanEquals: { match: date((a, b) => a <= b), negated: false },
  DateGreaterThan: { match: date((a, b) => a > b), negated: false },
  DateGreaterThanEquals: { match: date((a, b) => a >= b), negated: false },
  Bool: { match: (r, p) => r.toLowerCase() === p.toLowerCase(), negated: false },
  IpAddress: { match: ipInRange, negated: false },
  NotIpAddress: { match: ipInRange, negated: true },
  ArnEquals: { match: (r, p, o) => arnMatch(p, r, o), negated: false },
  ArnLike: { match: (r, p, o) => arnMatch(p, r, o), negated: false },
  ArnNotEquals: { match: (r, p, o) => arnMatch(p, r, o), negated: true },
  ArnNotLike: { match: (r, p, o) => arnMatch(p, r, o), negated: true },
  // Null is decided before any matcher runs.
  Null: { match: () => false, negated: false },
};

/** StringEquals takes policy variables but no wildcards: resolve `${…}` to plain text. */
function resolveLiteral(policyValue: string, opts: MatchOptions): string | undefined {
  if (!opts.variables || !policyValue.includes('${')) return policyValue;
  let missing = false;
  const variables = opts.variables;
  const text = policyValue.replace(/\$\{([^}]*)\}/g, (_whole, inner: string) => {
    const value = variableValue(inner, variables);
    if (value === undefined) missing = true;
    return value ?? '';
  });
  return missing ? undefined : text;
}

// A parsed statement's condition keys are the same strings every evaluation: folded once.
const FOLDED_LIMIT = 4096;
const folded = new Map<string, string>();

function foldedKey(key: string): string {
  let lower = folded.get(key);
  if (lower === undefined) {
    lower = key.toLowerCase();
    if (folded.size >= FOLDED_LIMIT) folded.clear();
    folded.set(key, lower);
  }
  return lower;
}

export function conditionHolds(test: ConditionTest, lookup: ContextLookup, opts: MatchOptions): boolean {
  const present = lookup(foldedKey(test.key));
  const values = present ?? [];
  if (test.operator === 'Null') {
    const absent = values.length === 0;
    return test.values.some((v) => (v.toLowerCase() === 'true') === absent);
  }
  const { match, negated } = MATCHERS[test.operator];
  const anyPolicy = (r: string): boolean => test.values.some((p) => match(r, p, opts));
  if (test.qualifier === 'ForAllValues') {
    return values.every((r) => (negated ? !anyPolicy(r) : anyPolicy(r)));
  }
  if (test.qualifier === 'ForAnyValue') {
    return values.some((r) => (negated ? !anyPolicy(r) : anyPolicy(r)));
  }
  if (values.length === 0) return test.ifExists || negated;
  return negated ? values.every((r) => !anyPolicy(r)) : values.some(anyPolicy);
}
