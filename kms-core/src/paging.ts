// Limit/Marker paging for list operations. Items are ordered by a stable string key and the
// marker names the last key returned, so paging survives items added or deleted in between.
// Markers are opaque to clients (base64url), and one that does not decode is refused.

import { KmsError } from './errors.js';

export interface Page<T> {
  items: T[];
  truncated: boolean;
  nextMarker?: string;
}

const MARKER_PREFIX = 'after:';

function decodeMarker(marker: string): string {
  const decoded = Buffer.from(marker, 'base64url').toString('utf8');
  if (!decoded.startsWith(MARKER_PREFIX) || Buffer.from(decoded, 'utf8').toString('base64url') !== marker) {
    throw new KmsError('InvalidMarkerException', 'Invalid marker');
  }
  return decoded.slice(MARKER_PREFIX.length);
}

export function paginate<T>(items: T[], sortKey: (item: T) => string, limit: number, marker: string | undefined): Page<T> {
  const sorted = [...items].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  const after = marker === undefined ? undefined : decodeMarker(marker);
  const remaining = after === undefined ? sorted : sorted.filter((item) => sortKey(item) > after);
  const pageItems = remaining.slice(0, limit);
  if (remaining.length <= limit) return { items: pageItems, truncated: false };
  const last = sortKey(pageItems[pageItems.length - 1]);
  return { items: pageItems, truncated: true, nextMarker: Buffer.from(MARKER_PREFIX + last, 'utf8').toString('base64url') };
}
