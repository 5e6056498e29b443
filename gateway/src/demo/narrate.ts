/**
 * How a step's readings reach the screen: as a heading and plain sentences for people, or as
 * one JSON line per step for tools. Both print the same report; nothing here adds a fact.
 */
import type { AuditSighting } from './audit-trail.js';

export interface StepReport {
  step: number;
  title: string;
  /** What happened, in sentences, each built from a reading in `facts`. */
  lines: string[];
  /** The readings themselves: responses, disk, audit, as data. */
  facts: Record<string, unknown>;
  /** The audit records the step's requests produced; null when the trail is not readable from here. */
  audit: AuditSighting[] | null;
}

function heading(report: Pick<StepReport, 'step' | 'title'>): string {
  return `Step ${report.step}. ${report.title}`;
}

function auditLine(a: AuditSighting): string {
  const by = a.invokedBy ? `${a.user} via ${a.invokedBy}` : a.user;
  return `${a.eventName} by ${by}, request ${a.requestId}${a.errorCode ? `, refused: ${a.errorCode}` : ''}`;
}

export function humanReport(report: StepReport): string {
  const title = heading(report);
  const out = [title, '='.repeat(title.length), ...report.lines.map((l) => `  ${l}`)];
  if (report.audit === null) out.push('  audit trail: not readable here (give --data-dir of the running gateway)');
  else if (report.audit.length === 0) out.push('  audit trail: no record (no request reached the KMS)');
  else out.push('  audit trail:', ...report.audit.map((a) => `    ${auditLine(a)}`));
  return out.join('\n') + '\n\n';
}

export function jsonReport(report: StepReport): string {
  return JSON.stringify(report) + '\n';
}

/** Bytes as spaced hex, for showing a few of them side by side. */
export function hexBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/(..)(?!$)/g, '$1 ');
}

/** Bytes as text with everything unprintable as a dot, the way a hex viewer shows them. */
export function printable(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
}
