/**
 * `pnpm bench --peer s3rver`: the same loads against kmsgate (SSE-KMS) and s3rver (a Node
 * fake S3 that neither encrypts nor fsyncs), interleaved A B in each of three rounds, both on
 * the same disk, then each figure per round and the median of the per-round ratios (> 1:
 * kmsgate ahead). Small objects go through lite-client.ts at concurrency 32; listings through
 * @aws-sdk/client-s3. A `dd` with fsync of the large size on the same disk is the reference
 * for large PUTs. Each PUT load and the `dd` start on a disk with nothing left to write back.
 * The small-object loads also run against the floor (floor-server.ts: a bare
 * Node server that writes each PUT to its own file with one fdatasync and does nothing else):
 * a Node server that syncs each object's own file before its 200 does at least that much, so
 * the floor's ratio to the peer bounds what kmsgate's can be on this machine. Printed, never
 * asserted.
 *
 *   BENCH_PEER_ROUNDS    rounds (default 3)
 *   BENCH_PEER_SECONDS   seconds per small-object load (default 4)
 *   BENCH_PEER_BIG_MIB   large object size in MiB (default 1024)
 *   BENCH_PEER_KEYS      keys for the full-pagination listing (default 10000)
 *   BENCH_PEER_ONLY      comma list of parts: small, big, list, rss, fresh (default all)
 *
 * The peak RSS rows of `big` and `rss` are taken in the same server process after the
 * small-object loads, whose heap V8 and malloc keep; `fresh` takes the same two loads once per
 * round on a newly started server each, so what the object size itself costs shows.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { repeatingStream } from '../streams.js';
import { closedLoop } from './closed-loop.js';
import { LiteClient } from './lite-client.js';
import { BUCKET, startFloor, startKmsgate, startS3rver, type BenchServer, type FloorServer } from './peer-servers.js';

const MiB = 1024 * 1024;
const run = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_PEER_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_PEER_SECONDS ?? 4);
const BIG_MIB = Number(process.env.BENCH_PEER_BIG_MIB ?? 1024);
const LIST_KEYS = Number(process.env.BENCH_PEER_KEYS ?? 10_000);
const PARTS = new Set((process.env.BENCH_PEER_ONLY ?? 'small,big,list,rss,fresh').split(','));
const CONCURRENCY = 32;
/** Small-object PUTs cycle over this many keys (overwrites), and GETs read them back. */
const KEYSET = 2000;

interface Figure {
  readonly label: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  readonly values: Map<string, number[]>;
}

const figures: Figure[] = [];

function record(label: string, unit: string, higherIsBetter: boolean, server: string, value: number): void {
  let figure = figures.find((f) => f.label === label);
  if (!figure) figures.push((figure = { label, unit, higherIsBetter, values: new Map() }));
  figure.values.set(server, [...(figure.values.get(server) ?? []), value]);
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Writes back every dirty page first (`sync`). s3rver never syncs, so the kernel was still
 * writing back what its loads left while the next server's (or `dd`'s) ran, and their fsyncs
 * waited on that disk traffic too.
 */
async function settleDisk(): Promise<void> {
  await run('sync');
}

async function smallLoads(server: { readonly name: string }, client: LiteClient): Promise<void> {
  await settleDisk();
  for (const size of [4096, 65536]) {
    const body = randomBytes(size);
    const path = (i: number): string => `/${BUCKET}/s${size}/k${i % KEYSET}`;
    const put = await closedLoop((i) => client.put(path(i), body, size), SECONDS, CONCURRENCY);
    record(`${size / 1024} KiB PUT, c=${CONCURRENCY}`, 'ops/s', true, server.name, put.rate);
    const written = Math.min(put.count, KEYSET);
    const get = await closedLoop(async (i) => {
      const got = await client.get(path(i % written));
      if (got !== size) throw new Error(`GET returned ${got} bytes, expected ${size}`);
    }, SECONDS, CONCURRENCY);
    record(`${size / 1024} KiB GET, c=${CONCURRENCY}`, 'ops/s', true, server.name, get.rate);
  }
}

/** A large PUT, then its GET: their MiB/s and the server's peak RSS over both. */
async function bigLoads(server: BenchServer, client: LiteClient): Promise<{ putRate: number; getRate: number; peakRss: number }> {
  const size = BIG_MIB * MiB;
  const path = `/${BUCKET}/big.bin`;
  await settleDisk();
  await server.resetPeakRss();
  let t0 = performance.now();
  await client.put(path, repeatingStream(size), size);
  const putRate = BIG_MIB / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  const got = await client.get(path);
  if (got !== size) throw new Error(`GET returned ${got} bytes, expected ${size}`);
  const getRate = BIG_MIB / ((performance.now() - t0) / 1000);
  return { putRate, getRate, peakRss: await server.peakRssMiB() };
}

async function rssLoad(server: BenchServer, client: LiteClient, label = 'peak RSS, 16 × 64 MiB PUTs at once'): Promise<void> {
  const size = 64 * MiB;
  await server.resetPeakRss();
  await Promise.all(Array.from({ length: 16 }, (_, i) => client.put(`/${BUCKET}/rss/p${i}`, repeatingStream(size), size)));
  record(label, 'MiB', false, server.name, await server.peakRssMiB());
}

/** Both peak RSS loads on a server started for them alone, one after the other. */
async function freshRssLoads(root: string, round: number): Promise<void> {
  for (const start of [startKmsgate, startS3rver]) {
    const dir = join(root, `fresh-${round}-${start === startKmsgate ? 'kmsgate' : 's3rver'}`);
    const server = await start(dir);
    const client = new LiteClient(server, CONCURRENCY);
    try {
      record(`peak RSS, ${BIG_MIB} MiB PUT+GET, fresh`, 'MiB', false, server.name, (await bigLoads(server, client)).peakRss);
      await rssLoad(server, client, 'peak RSS, 16 × 64 MiB PUTs, fresh');
    } finally {
      client.destroy();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }
}

async function fillListing(client: LiteClient): Promise<void> {
  const body = Buffer.from('x');
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < LIST_KEYS) {
      const i = next++;
      await client.put(`/${BUCKET}/list/g${String(i % 100).padStart(3, '0')}/k${String(i).padStart(6, '0')}`, body, 1);
    }
  }));
}

async function listLoad(server: BenchServer): Promise<void> {
  const t0 = performance.now();
  let count = 0;
  let token: string | undefined;
  do {
    const page = await server.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/', ContinuationToken: token }));
    count += page.KeyCount ?? 0;
    token = page.NextContinuationToken;
  } while (token);
  if (count !== LIST_KEYS) throw new Error(`${server.name} listed ${count} keys, expected ${LIST_KEYS}`);
  record(`ListObjectsV2, ${LIST_KEYS} keys, all pages`, 'ms', false, server.name, performance.now() - t0);
}

/**
 * The same listing through the light client, which reads each page as text: the SDK's
 * figure above includes its XML parsing (about 30 ms of client CPU per 1000-key page, on the
 * same two cores), this one shows what each server itself takes.
 */
async function listLoadPlain(server: BenchServer, client: LiteClient): Promise<void> {
  const t0 = performance.now();
  let count = 0;
  let token: string | undefined;
  do {
    const xml = await client.listPage(BUCKET, 'list/', token);
    count += Number(/<KeyCount>(\d+)<\/KeyCount>/.exec(xml)?.[1] ?? 0);
    token = /<IsTruncated>true<\/IsTruncated>/.test(xml) ? decodeXml(/<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml)?.[1]) : undefined;
  } while (token);
  if (count !== LIST_KEYS) throw new Error(`${server.name} listed ${count} keys through the light client, expected ${LIST_KEYS}`);
  record(`ListObjectsV2, ${LIST_KEYS} keys, light client`, 'ms', false, server.name, performance.now() - t0);
}

function decodeXml(text: string | undefined): string | undefined {
  return text?.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e]!);
}

async function ddReference(dir: string): Promise<void> {
  const file = join(dir, 'dd.bin');
  await settleDisk();
  const t0 = performance.now();
  await run('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', `count=${BIG_MIB}`, 'conv=fsync']);
  record(`dd ${BIG_MIB} MiB with fsync (same disk)`, 'MiB/s', true, 'dd', BIG_MIB / ((performance.now() - t0) / 1000));
  await rm(file);
}

/** The median over rounds of `a`'s figure against `b`'s (> 1: `a` ahead); undefined if either lacks it. */
function medianRatio(f: Figure, a: string, b: string): number | undefined {
  const [va, vb] = [f.values.get(a), f.values.get(b)];
  if (!va || !vb) return undefined;
  return median(va.map((v, r) => (f.higherIsBetter ? v / vb[r]! : vb[r]! / v)));
}

function printTable(order: readonly string[]): void {
  const cell = (v: number | undefined): string => (v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(1)).padStart(8);
  console.log(`\n${'figure'.padEnd(40)}${'unit'.padEnd(7)}${order.map((s) => `${s} r1..r${ROUNDS}`.padEnd(9 * ROUNDS)).join(' ')}  median ratio`);
  for (const f of figures) {
    // A reference figure (dd) has one server of its own: shown in the first column.
    const columns = f.values.size === 1 ? order.map((_, i) => (i === 0 ? [...f.values.values()][0] : undefined)) : order.map((s) => f.values.get(s));
    const cols = columns.map((vs) => Array.from({ length: ROUNDS }, (_, r) => cell(vs?.[r])).join(' ').padEnd(9 * ROUNDS));
    const ratio = medianRatio(f, order[0]!, order[1]!);
    console.log(`${f.label.padEnd(40)}${f.unit.padEnd(7)}${cols.join(' ')}  ${ratio === undefined ? '' : `${ratio.toFixed(2)}×`}`);
  }
  const put = figures.find((f) => f.label === `${BIG_MIB} MiB PUT`)?.values.get(order[0]!);
  const dd = figures.find((f) => f.label.startsWith('dd '))?.values.get('dd');
  if (put && dd) console.log(`${BIG_MIB} MiB PUT of ${order[0]} against dd: median ${median(put.map((v, r) => v / dd[r]!)).toFixed(2)}× of the plain copy`);
  console.log('ratio: kmsgate against the peer per round, then the median (> 1: kmsgate ahead; for ms and MiB of RSS, less is ahead)');
  const floored = figures.filter((f) => f.values.has('floor'));
  if (floored.length === 0) return;
  console.log(`the floor (one file and one fdatasync per PUT, nothing else), median ratios:`);
  for (const f of floored) {
    console.log(`  ${f.label.padEnd(40)}floor ${medianRatio(f, 'floor', order[1]!)!.toFixed(2)}× ${order[1]}, kmsgate ${medianRatio(f, order[0]!, 'floor')!.toFixed(2)}× the floor`);
  }
}

export async function benchPeer(peer: string): Promise<void> {
  if (peer !== 's3rver') throw new Error(`unknown peer '${peer}' (known: s3rver)`);
  const root = await mkdtemp(join(tmpdir(), 'kmsgate-peer-'));
  const servers: BenchServer[] = [];
  let floor: FloorServer | undefined;
  try {
    servers.push(await startKmsgate(join(root, 'kmsgate')));
    servers.push(await startS3rver(join(root, 's3rver')));
    const clients = new Map(servers.map((s) => [s.name, new LiteClient(s, CONCURRENCY)]));
    if (PARTS.has('small')) floor = await startFloor(join(root, 'floor'));
    const floorClient = floor && new LiteClient(floor, CONCURRENCY);
    if (PARTS.has('list')) for (const s of servers) await fillListing(clients.get(s.name)!);
    console.log(`peer bench: kmsgate (SSE-KMS) against ${peer}${floor ? ' (and the floor for small objects)' : ''}, ${ROUNDS} rounds, ${SECONDS} s per small load, data under ${tmpdir()}`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const s of servers) if (PARTS.has('small')) await smallLoads(s, clients.get(s.name)!);
      if (floor) await smallLoads(floor, floorClient!);
      if (PARTS.has('big')) {
        for (const s of servers) {
          const { putRate, getRate, peakRss } = await bigLoads(s, clients.get(s.name)!);
          record(`${BIG_MIB} MiB PUT`, 'MiB/s', true, s.name, putRate);
          record(`${BIG_MIB} MiB GET`, 'MiB/s', true, s.name, getRate);
          record(`peak RSS, ${BIG_MIB} MiB PUT+GET`, 'MiB', false, s.name, peakRss);
        }
        await ddReference(root);
      }
      for (const s of servers) if (PARTS.has('rss')) await rssLoad(s, clients.get(s.name)!);
      for (const s of servers) if (PARTS.has('list')) await listLoad(s);
      for (const s of servers) if (PARTS.has('list')) await listLoadPlain(s, clients.get(s.name)!);
      if (PARTS.has('fresh')) await freshRssLoads(root, round);
      console.log(`round ${round} done`);
    }
    for (const c of clients.values()) c.destroy();
    floorClient?.destroy();
    printTable(['kmsgate', peer, 'floor']);
  } finally {
    for (const s of servers) await s.stop();
    await floor?.stop();
    await rm(root, { recursive: true, force: true });
  }
}
