/**
 * The audit records a demo step produced, read back from the trail file the KMS wrote
 * (CloudTrail shape), picked by the request ids of the step's own requests.
 */
import { readAuditTrail, type AuditRecord } from '@kmsgate/kms-core';
import { auditLogPath } from '../audit/audit-command.js';

/** What the demo shows of one record: enough to find it in `kmsgate audit --json`. */
export interface AuditSighting {
  eventName: string;
  requestId: string;
  /** The user name, or the principal ARN for others; "AWS Internal" for service events. */
  user: string;
  /** The service that called on the user's behalf (S3 for SSE-KMS), if any. */
  invokedBy?: string;
  errorCode?: string;
  eventTime: string;
}

function sighting(record: AuditRecord): AuditSighting {
  const id = record.userIdentity;
  const out: AuditSighting = {
    eventName: record.eventName,
    requestId: record.requestID ?? '',
    user: id.userName ?? id.arn ?? id.invokedBy ?? 'unknown',
    eventTime: record.eventTime,
  };
  if (id.invokedBy) out.invokedBy = id.invokedBy;
  if (record.errorCode) out.errorCode = record.errorCode;
  return out;
}

export class AuditReader {
  constructor(private readonly dataDir: string | undefined) {}

  /** null when the trail is not readable from here (a remote gateway whose data directory was not given). */
  async recordsOf(requestIds: readonly (string | undefined)[]): Promise<AuditSighting[] | null> {
    if (this.dataDir === undefined) return null;
    const wanted = new Set(requestIds.filter((id): id is string => id !== undefined && id !== ''));
    const records = await readAuditTrail(auditLogPath(this.dataDir));
    return records.filter((r) => r.requestID !== undefined && wanted.has(r.requestID)).map(sighting);
  }
}
