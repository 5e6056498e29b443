/**
 * The headers every console response carries. The console is one bundled script and one
 * stylesheet from this origin: nothing inline, no eval, no other origin, never in a frame.
 * The page talks only to this origin's S3, KMS and CloudTrail APIs (connect-src 'self');
 * downloads are blob: URLs the page itself makes from a signed GET.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  // A page that holds a secret in memory is never stored by a cache.
  'Cache-Control': 'no-store',
};
