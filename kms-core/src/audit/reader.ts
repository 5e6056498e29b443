// Reading the audit trail back: the rotated files (audit.log.<n>, higher is newer) and the
// current one, oldest record first, each line one record. A reader runs beside the writer, so the last
// line of the current file may be half-written (or torn by a crash): a line without its
// newline, or that is not JSON, is skipped rather than failing the read.

import { readFile } from 'node:fs/promises';
import type { AuditRecord } from './record.js';
import { rotatedFiles } from './writer.js';

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function parseLines(text: string): AuditRecord[] {
  const records: AuditRecord[] = [];
  const lines = text.split('\n');
  lines.pop(); // the text after the last newline: empty, or a line still being written
  for (const line of lines) {
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && typeof (value as AuditRecord).eventName === 'string') records.push(value as AuditRecord);
    } catch {
      // A torn line from a crash mid-write: nothing after it in that file was acknowledged.
    }
  }
  return records;
}

/**
 * Every record of the trail at `path`, oldest first. The current file is read before the
 * folder is listed: a rotation in between then shows its records twice (once as the current
 * file, once under its rotated name) but never hides one, and the duplicates go by eventID.
 */
export async function readAuditTrail(path: string): Promise<AuditRecord[]> {
  const newestFirst: string[] = [];
  const current = await readIfExists(path);
  if (current !== null) newestFirst.push(current);
  for (const rotated of (await rotatedFiles(path)).reverse()) {
    // null: removed as the oldest by a rotation since the listing.
    const text = await readIfExists(rotated.path);
    if (text !== null) newestFirst.push(text);
  }
  const seen = new Set<string>();
  return newestFirst.reverse().flatMap(parseLines).filter((r) => {
    if (typeof r.eventID !== 'string') return true;
    if (seen.has(r.eventID)) return false;
    seen.add(r.eventID);
    return true;
  });
}

export interface AuditFilter {
  /** A key id, key ARN or alias as sent: matches the resources or the keyId parameter. */
  key?: string;
  /** A user name or principal ARN. */
  user?: string;
  eventName?: string;
  /** true: refused calls only; a string: that error code only. */
  error?: boolean | string;
  since?: Date;
  until?: Date;
}

export function matchesAudit(record: AuditRecord, f: AuditFilter): boolean {
  if (f.key !== undefined) {
    const k = f.key;
    const keyParam = record.requestParameters?.keyId;
    const inResources = record.resources.some((r) => r.ARN === k || r.ARN.endsWith(`:key/${k}`));
    if (!inResources && keyParam !== k) return false;
  }
  if (f.user !== undefined) {
    const id = record.userIdentity;
    if (id.arn !== f.user && id.userName !== f.user) return false;
  }
  if (f.eventName !== undefined && record.eventName !== f.eventName) return false;
  if (f.error === true && record.errorCode === undefined) return false;
  if (typeof f.error === 'string' && record.errorCode !== f.error) return false;
  const at = Date.parse(record.eventTime);
  if (f.since && at < f.since.getTime()) return false;
  if (f.until && at > f.until.getTime()) return false;
  return true;
}
