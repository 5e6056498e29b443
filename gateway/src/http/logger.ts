/**
 * A small structured logger: one JSON line per event on stderr, always carrying the
 * request id when there is one, so a log line, the x-amz-request-id header and the XML
 * RequestId of a failed request can be matched up. Every line passes through `redact()`
 * here, in the one place that writes it, so no call site can leak a signature or a secret.
 */
import type { LogLevel } from '../config.js';
import { redact } from './redact.js';

export interface Logger {
  error(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const RANK: Record<LogLevel, number> = { silent: 0, error: 1, info: 2, debug: 3 };

export function createLogger(level: LogLevel, base: Record<string, unknown> = {}, sink: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const emit = (at: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void => {
    if (RANK[at] > RANK[level]) return;
    sink(JSON.stringify({ time: new Date().toISOString(), level: at, msg: redact(msg), ...(redact({ ...base, ...fields }) as object) }));
  };
  return {
    error: (msg, fields) => emit('error', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    debug: (msg, fields) => emit('debug', msg, fields),
    child: (fields) => createLogger(level, { ...base, ...fields }, sink),
  };
}
