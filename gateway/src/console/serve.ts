/**
 * The web console at `/console`: a static page (bundled at build time into
 * gateway/dist/console/assets by gateway/console/build.mjs) that signs S3, KMS and CloudTrail
 * requests in the browser with the user's own access key.
 *
 * Path-style S3 also reads `GET /console` as ListObjects of a bucket named `console`. The two
 * are told apart by authentication: the console answers only GET/HEAD requests on the
 * path-style `/console` or `/console/...` that carry no S3 authentication at all (no
 * Authorization header, no presigned query). Such a request could never be an S3 operation
 * here, because the gateway refuses every anonymous S3 request; any signed request, a bucket
 * named `console` included, goes to S3 as before. Virtual-hosted requests
 * (`console.<domain>`) are always S3.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { virtualHostBucket } from '../s3/s3-path.js';
import { CONSOLE_HEADERS } from './csp.js';

export const CONSOLE_PATH = '/console';

/** The bundle's files; nothing else under /console is served. */
const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  '/console': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};

const ASSET_DIR = new URL('../../dist/console/assets/', import.meta.url);

const AUTH_QUERY = ['x-amz-signature', 'x-amz-credential', 'signature', 'awsaccesskeyid'];

export function isConsoleRequest(req: IncomingMessage, domain: string | undefined): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (path !== CONSOLE_PATH && !path.startsWith(`${CONSOLE_PATH}/`)) return false;
  if (virtualHostBucket(req.headers.host, domain) !== undefined) return false;
  if (req.headers.authorization !== undefined) return false;
  const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
  return ![...query.keys()].some((name) => AUTH_QUERY.includes(name.toLowerCase()));
}

function answer(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: Buffer): void {
  res.writeHead(status, { ...CONSOLE_HEADERS, 'Content-Type': type, 'Content-Length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Escapes text for an HTML attribute value. */
function attribute(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function serveConsole(req: IncomingMessage, res: ServerResponse, opts: { region: string }): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const asset = ASSETS[q === -1 ? url : url.slice(0, q)];
  if (!asset) {
    answer(req, res, 404, 'text/plain; charset=utf-8', Buffer.from('Not found\n'));
    return;
  }
  let body: Buffer;
  try {
    body = await readFile(new URL(asset.file, ASSET_DIR));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    answer(req, res, 503, 'text/plain; charset=utf-8', Buffer.from('The console is not built: run `pnpm build`.\n'));
    return;
  }
  // The page signs for the gateway's region; it is told so in a meta element, not a script.
  if (asset.file === 'index.html') body = Buffer.from(body.toString('utf8').replace('%KMSGATE_REGION%', attribute(opts.region)));
  answer(req, res, 200, asset.type, body);
}
