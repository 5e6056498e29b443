/**
 * `kmsgate audit [--key k] [--user u] [--event name] [--error [code]] [--since t] [--until t] [--json]`:
 * the KMS audit trail of a data directory, current and rotated files, oldest first, filtered,
 * as a table or as the JSON lines themselves. Only reads, so it runs beside a gateway.
 */
import { join, resolve } from 'node:path';
import { matchesAudit, readAuditTrail } from '@kmsgate/kms-core';
import type { AuditFilter, AuditRecord } from '@kmsgate/kms-core';
import { ConfigError } from '../config.js';

export const AUDIT_FILE = 'audit.log';

/** Where a gateway on `dataDir` writes its trail (beside the keystore, mode 0600). */
export function auditLogPath(dataDir: string): string {
  return join(resolve(dataDir), 'kms', AUDIT_FILE);
}

export interface AuditCommandArgs {
  filter: AuditFilter;
  json: boolean;
}

function time(flag: string, value: string | undefined): Date {
  const at = value === undefined ? NaN : Date.parse(value);
  if (Number.isNaN(at)) throw new ConfigError(`${flag} needs a time (ISO 8601, e.g. 2026-01-31T12:00:00Z)`);
  return new Date(at);
}

/** Splits the audit flags from the settings flags (--data-dir and the rest, for config.ts). */
export function parseAuditArgs(argv: readonly string[]): { args: AuditCommandArgs; rest: string[] } {
  const args: AuditCommandArgs = { filter: {}, json: false };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const eq = raw.indexOf('=');
    const flag = eq === -1 ? raw : raw.slice(0, eq);
    const inline = eq === -1 ? undefined : raw.slice(eq + 1);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new ConfigError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--json') args.json = true;
    else if (flag === '--key') args.filter.key = value();
    else if (flag === '--user') args.filter.user = value();
    else if (flag === '--event') args.filter.eventName = value();
    else if (flag === '--since') args.filter.since = time(flag, inline ?? argv[++i]);
    else if (flag === '--until') args.filter.until = time(flag, inline ?? argv[++i]);
    else if (flag === '--error') {
      // A bare --error means any refusal; a following word that is not a flag names the code.
      const next = inline ?? (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--') ? argv[++i] : undefined);
      args.filter.error = next ?? true;
    } else {
      rest.push(raw);
      if (eq === -1 && i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) rest.push(argv[++i]!);
    }
  }
  return { args, rest };
}

const COLUMNS: { title: string; cell: (r: AuditRecord) => string }[] = [
  { title: 'TIME', cell: (r) => r.eventTime },
  { title: 'EVENT', cell: (r) => r.eventName },
  { title: 'USER', cell: (r) => r.userIdentity.userName ?? r.userIdentity.arn ?? r.userIdentity.invokedBy ?? '' },
  { title: 'VIA', cell: (r) => r.userIdentity.invokedBy ?? '' },
  { title: 'KEY', cell: (r) => r.resources.map((x) => x.ARN.slice(x.ARN.lastIndexOf('/') + 1)).join(',') },
  { title: 'ERROR', cell: (r) => r.errorCode ?? '' },
  { title: 'SOURCE', cell: (r) => r.sourceIPAddress },
  { title: 'REQUEST ID', cell: (r) => r.requestID ?? '' },
];

export function formatAuditTable(records: readonly AuditRecord[]): string {
  const rows = [COLUMNS.map((c) => c.title), ...records.map((r) => COLUMNS.map((c) => c.cell(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** Returns what to print. */
export async function runAuditCommand(args: AuditCommandArgs, dataDir: string): Promise<string> {
  const records = (await readAuditTrail(auditLogPath(dataDir))).filter((r) => matchesAudit(r, args.filter));
  if (args.json) return records.map((r) => `${JSON.stringify(r)}\n`).join('');
  return formatAuditTable(records);
}
