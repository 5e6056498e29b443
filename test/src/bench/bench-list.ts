/**
 * Listing figures for `pnpm bench` (BENCH_ONLY=list runs only these). Buckets are written
 * through the storage API into a fresh data directory (on tmpfs where there is one: this
 * measures listing, not writes), then a gateway is started over it BENCH_LIST_RUNS times:
 * right after each start the listings are cold (the gateway's caches are empty; the OS page
 * cache is not), and after the last start each is repeated warm. Each figure is the median
 * of its runs, in wall-clock milliseconds and in CPU milliseconds of this process, which
 * runs the client and the gateway alike: on a loaded machine the CPU figure moves less.
 *
 * Two clients: @aws-sdk/client-s3 (default settings), whose own parsing of the XML is a
 * large part of a full listing, and plain HTTP with a SigV4 header and a regex for the
 * token, which shows what the gateway itself costs.
 *
 *   BENCH_LIST_KEYS   keys for the full-pagination bucket (default 10000)
 *   BENCH_LIST_BIG    keys of the large bucket for the page-cost comparison (default 200000)
 *   BENCH_LIST_RUNS   gateway starts, and warm repetitions (default 5)
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListBucketsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startGateway, type RunningGateway } from '@kmsgate/gateway';
import { FsObjectStore } from '@kmsgate/storage';
import { signHeaders } from '../signing.js';

const KEYS = Number(process.env.BENCH_LIST_KEYS ?? 10_000);
const BIG = Number(process.env.BENCH_LIST_BIG ?? 200_000);
const RUNS = Math.max(1, Number(process.env.BENCH_LIST_RUNS ?? 5));
const SMALL = 2_000;
const PAGE = 1_000;
const PREFIX = 'p0000/';

/** Nested like a real bucket: group/subgroup/key; prefix pNNNN/ holds PAGE keys. */
const keyOf = (i: number, groups: number): string => `p${String(i % groups).padStart(4, '0')}/s${Math.floor(i / groups) % 10}/k${String(i).padStart(7, '0')}`;

async function fill(store: FsObjectStore, bucket: string, count: number): Promise<void> {
  await store.createBucket(bucket);
  const groups = Math.max(1, Math.floor(count / PAGE));
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < count) {
      const key = keyOf(next++, groups);
      const pending = await store.beginPut(bucket, key);
      pending.stream.end(Buffer.from(key));
      await new Promise((resolve) => pending.stream.once('finish', resolve));
      await pending.commit(Buffer.from('opaque'), { listing: { size: key.length, etag: 'e'.repeat(32), lastModified: new Date(), storageClass: 'STANDARD' } });
    }
  };
  await Promise.all(Array.from({ length: 64 }, writer));
}

interface Sample {
  wall: number;
  cpu: number;
}

interface Client {
  /** Keys (and common prefixes) of one page, and the token of the next. */
  page(bucket: string, query: { prefix?: string; delimiter?: string; token?: string }): Promise<{ count: number; next: string | undefined }>;
  /** A request that reads no listing, so the client's own first-request set-up is not timed. */
  warmUp(): Promise<void>;
  close(): void;
}

function sdkClient(gw: RunningGateway): Client {
  const s3 = new S3Client({ endpoint: gw.endpoint, region: gw.region, credentials: gw.credentials, forcePathStyle: true });
  return {
    async page(bucket, q) {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: q.prefix, Delimiter: q.delimiter, ContinuationToken: q.token }));
      return { count: page.KeyCount ?? 0, next: page.NextContinuationToken };
    },
    warmUp: async () => void (await s3.send(new ListBucketsCommand({}))),
    close: () => s3.destroy(),
  };
}

const xmlText = (text: string): string => text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name] ?? '');

function plainClient(gw: RunningGateway): Client {
  const url = new URL(gw.endpoint);
  return {
    async page(bucket, q) {
      const query: Record<string, string> = { 'list-type': '2' };
      if (q.prefix) query.prefix = q.prefix;
      if (q.delimiter) query.delimiter = q.delimiter;
      if (q.token) query['continuation-token'] = q.token;
      const path = `/${bucket}`;
      const headers = await signHeaders(gw.endpoint, gw.credentials, gw.region, { method: 'GET', path, query, headers: {} }, { payloadHash: 'UNSIGNED-PAYLOAD' });
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path: `${path}?${new URLSearchParams(query).toString()}`, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`listing answered ${res.statusCode}`))));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
      const count = Number(/<KeyCount>(\d+)</.exec(body)?.[1] ?? 0);
      const next = /<NextContinuationToken>([^<]*)</.exec(body)?.[1];
      return { count, next: next === undefined ? undefined : xmlText(next) };
    },
    warmUp: async () => undefined,
    close: () => undefined,
  };
}

async function fullListing(client: Client, bucket: string): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const page = await client.page(bucket, { token });
    count += page.count;
    token = page.next;
  } while (token);
  return count;
}

interface Figure {
  label: string;
  expected: number;
  run(client: Client): Promise<number>;
}

const FIGURES: Figure[] = [
  // First, so its cold run reads its directories itself.
  { label: `one delimiter page (prefix ${PREFIX}, '/')`, expected: 10, run: async (c) => (await c.page('keys', { prefix: PREFIX, delimiter: '/' })).count },
  { label: `full listing of ${KEYS} keys (${Math.ceil(KEYS / PAGE)} pages)`, expected: KEYS, run: (c) => fullListing(c, 'keys') },
  { label: `first ${PAGE}-key page of ${PREFIX}, ${SMALL} keys`, expected: PAGE, run: async (c) => (await c.page('small', { prefix: PREFIX })).count },
  { label: `first ${PAGE}-key page of ${PREFIX}, ${BIG} keys`, expected: PAGE, run: async (c) => (await c.page('big', { prefix: PREFIX })).count },
];

async function sample(figure: Figure, client: Client): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const got = await figure.run(client);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (got !== figure.expected) throw new Error(`${figure.label}: listed ${got}, expected ${figure.expected}`);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const shown = (samples: Sample[]): string =>
  `${median(samples.map((s) => s.wall)).toFixed(0).padStart(6)} ms (cpu ${median(samples.map((s) => s.cpu)).toFixed(0).padStart(5)})`;

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

export async function benchListing(): Promise<void> {
  const dataDir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'kmsgate-bench-list-'));
  try {
    const store = await FsObjectStore.open(join(dataDir, 'objects'));
    const t0 = performance.now();
    await fill(store, 'keys', KEYS);
    await fill(store, 'small', SMALL);
    await fill(store, 'big', BIG);
    const fillSeconds = (performance.now() - t0) / 1000;
    await store.close();

    const clients = [{ name: 'sdk', make: sdkClient }, { name: 'plain HTTP', make: plainClient }];
    const cold = new Map<string, Sample[]>();
    const warm = new Map<string, Sample[]>();
    const add = (into: Map<string, Sample[]>, key: string, s: Sample): void => void into.set(key, [...(into.get(key) ?? []), s]);
    let port = 0;
    console.log(`listing: buckets written through storage in ${fillSeconds.toFixed(0)} s; ListObjectsV2, medians of ${RUNS} runs; load average ${load()}`);
    // Each client gets its own cold starts: the first client's run would warm the second's.
    for (const { name, make } of clients) {
      for (let run = 0; run < RUNS; run++) {
        const gw = await startGateway({ dataDir, port, logLevel: 'silent', notify: () => undefined });
        port = Number(new URL(gw.endpoint).port);
        const client = make(gw);
        try {
          await client.warmUp();
          for (const figure of FIGURES) add(cold, `${name}|${figure.label}`, await sample(figure, client));
          if (run === RUNS - 1) {
            for (let i = 0; i < RUNS; i++) for (const figure of FIGURES) add(warm, `${name}|${figure.label}`, await sample(figure, client));
          }
        } finally {
          client.close();
          await gw.close();
        }
      }
    }
    for (const { name } of clients) {
      console.log(`  ${name}: wall (cpu of this process, client and gateway)`);
      for (const figure of FIGURES) {
        const key = `${name}|${figure.label}`;
        console.log(`    ${figure.label.padEnd(44)} cold ${shown(cold.get(key) ?? [])}   warm ${shown(warm.get(key) ?? [])}`);
      }
    }
    console.log(`  cold = first after a gateway start (empty listing caches, warm OS page cache); load average now ${load()}`);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
