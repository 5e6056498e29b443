/**
 * The floor of the peer bench: the least a server can do and still call a PUT durable, run as
 * its own process (`node floor-server.js <folder>`, which prints `listening on <address>`).
 *
 * A PUT's body is collected, written to a fresh file, made durable with one fdatasync, and
 * renamed over the key's file; then 200. A GET reads the key's file back. Nothing else: no
 * signature check (it takes any Authorization header), no encryption, no metadata, no listing,
 * no folder fsync after the rename, no audit record. kmsgate does all of those, so on the same
 * machine its small-object figures cannot exceed these; set beside s3rver's (which does not
 * fsync at all), they show what a small-PUT goal asks of the disk before any of kmsgate's own
 * work. A bench tool only, never a storage backend.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const folder = process.argv[2];
if (!folder) throw new Error('usage: floor-server.js <folder>');
let written = 0;

/** One file per key: the whole path, made a single file name. */
const fileOf = (url: string): string => join(folder, encodeURIComponent(url.split('?')[0]!));

async function put(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const temp = join(folder, `.put-${written++}`);
  const file = await open(temp, 'w');
  try {
    await file.write(Buffer.concat(chunks));
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(temp, fileOf(req.url!));
  res.writeHead(200, { ETag: '"floor"' }).end();
}

async function get(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readFile(fileOf(req.url!));
  res.writeHead(200, { 'Content-Length': body.length }).end(body);
}

const server = createServer((req, res) => {
  const handle = req.method === 'PUT' ? put : req.method === 'GET' ? get : null;
  if (!handle) return void res.writeHead(405).end();
  handle(req, res).catch((err: NodeJS.ErrnoException) => {
    if (!res.headersSent) res.writeHead(err.code === 'ENOENT' ? 404 : 500);
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${(server.address() as AddressInfo).port}`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
