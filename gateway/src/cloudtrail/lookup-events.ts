/**
 * CloudTrail LookupEvents over the KMS audit trail: the same records `kmsgate audit` reads,
 * in the shape @aws-sdk/client-cloudtrail and `aws cloudtrail lookup-events` expect.
 *
 *   input  = { LookupAttributes?: [{ AttributeKey, AttributeValue }] (at most one, as AWS),
 *              StartTime?, EndTime? (epoch seconds), MaxResults? (1..50, default 50), NextToken? }
 *   output = { Events: [{ EventId, EventName, ReadOnly ("true"|"false"), AccessKeyId?, EventTime,
 *              EventSource, Username?, Resources: [{ ResourceType, ResourceName }],
 *              CloudTrailEvent (the record as JSON text) }], NextToken? }
 *
 * Newest first, as CloudTrail answers. A NextToken is the eventID of the last event of the
 * page, so records appended between two pages neither shift nor repeat what follows.
 */
import { matchesAudit, type AuditFilter, type AuditRecord } from '@kmsgate/kms-core';

export class CloudTrailError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

const MAX_RESULTS = 50;

/** AttributeKey → how a record is matched (the keys CloudTrail defines). */
const ATTRIBUTES: Record<string, (value: string) => (r: AuditRecord) => boolean> = {
  EventId: (v) => (r) => r.eventID === v,
  EventName: (v) => (r) => r.eventName === v,
  ReadOnly: (v) => (r) => String(r.readOnly) === v,
  Username: (v) => (r) => matchesAudit(r, { user: v } satisfies AuditFilter),
  ResourceType: (v) => (r) => r.resources.some((x) => x.type === v),
  ResourceName: (v) => (r) => matchesAudit(r, { key: v } satisfies AuditFilter),
  EventSource: (v) => (r) => r.eventSource === v,
  AccessKeyId: (v) => (r) => r.userIdentity.accessKeyId === v,
};

function seconds(value: unknown, member: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new CloudTrailError('SerializationException', `${member} must be a timestamp.`);
  return value * 1000;
}

function recordFilter(input: Record<string, unknown>): (r: AuditRecord) => boolean {
  const attributes = input.LookupAttributes ?? [];
  if (!Array.isArray(attributes)) throw new CloudTrailError('SerializationException', 'LookupAttributes must be a list.');
  if (attributes.length > 1) throw new CloudTrailError('InvalidLookupAttributesException', 'You can only specify one lookup attribute.');
  const [attribute] = attributes as { AttributeKey?: unknown; AttributeValue?: unknown }[];
  if (attribute === undefined) return () => true;
  const match = typeof attribute.AttributeKey === 'string' && Object.hasOwn(ATTRIBUTES, attribute.AttributeKey) ? ATTRIBUTES[attribute.AttributeKey] : undefined;
  if (!match) throw new CloudTrailError('InvalidLookupAttributesException', `Invalid lookup attribute key: ${String(attribute.AttributeKey)}.`);
  if (typeof attribute.AttributeValue !== 'string' || attribute.AttributeValue === '') throw new CloudTrailError('InvalidLookupAttributesException', 'A lookup attribute needs a value.');
  return match(attribute.AttributeValue);
}

function eventOf(r: AuditRecord): Record<string, unknown> {
  return {
    EventId: r.eventID,
    EventName: r.eventName,
    ReadOnly: String(r.readOnly),
    AccessKeyId: r.userIdentity.accessKeyId,
    EventTime: Date.parse(r.eventTime) / 1000,
    EventSource: r.eventSource,
    Username: r.userIdentity.userName,
    Resources: r.resources.map((x) => ({ ResourceType: x.type, ResourceName: x.ARN })),
    CloudTrailEvent: JSON.stringify(r),
  };
}

/** `records` oldest first, as the trail reader returns them. */
export function lookupEvents(records: readonly AuditRecord[], input: Record<string, unknown>): Record<string, unknown> {
  const matches = recordFilter(input);
  const start = seconds(input.StartTime, 'StartTime');
  const end = seconds(input.EndTime, 'EndTime');
  if (start !== undefined && end !== undefined && start > end) throw new CloudTrailError('InvalidTimeRangeException', 'Start time must be earlier than end time.');
  const max = input.MaxResults ?? MAX_RESULTS;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_RESULTS) throw new CloudTrailError('InvalidMaxResultsException', `MaxResults must be an integer from 1 to ${MAX_RESULTS}.`);
  let newestFirst = [...records].reverse();
  if (input.NextToken !== undefined) {
    const after = newestFirst.findIndex((r) => r.eventID === input.NextToken);
    if (after === -1) throw new CloudTrailError('InvalidNextTokenException', 'Invalid NextToken.');
    newestFirst = newestFirst.slice(after + 1);
  }
  const page: AuditRecord[] = [];
  let more = false;
  for (const r of newestFirst) {
    const at = Date.parse(r.eventTime);
    if ((start !== undefined && at < start) || (end !== undefined && at > end) || !matches(r)) continue;
    if (page.length === max) {
      more = true;
      break;
    }
    page.push(r);
  }
  return { Events: page.map(eventOf), ...(more ? { NextToken: page.at(-1)!.eventID } : {}) };
}
