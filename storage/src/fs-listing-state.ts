// The store-wide listing state, <root>/listing-state: which generation the persisted listing
// summaries of this session carry, and whether the session that wrote them closed cleanly.
//
//   {"version":1,"generation":<safe integer>,"clean":<boolean>}
//
// Opening keeps the generation after a clean close and moves to a new one otherwise (a crash,
// a power loss, a close that failed, or no readable state), so a summary written before a
// crash can never be trusted again; either way the state is durably marked not clean before
// the store accepts a write. Only a close that flushed every summary marks it clean.
import { randomInt } from 'node:crypto';
import { readFile, rename, rm } from 'node:fs/promises';
import type { FsLayout } from './fs-layout.js';
import { fsyncDir, isErrno, uniqueName, writeFileSynced } from './fs-util.js';

export interface ListingState {
  generation: number;
  clean: boolean;
}

async function readListingState(layout: FsLayout): Promise<ListingState | null> {
  let text: string;
  try {
    text = await readFile(layout.listingState, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw err;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const { version, generation, clean } = value as Record<string, unknown>;
    if (version !== 1 || typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 0 || typeof clean !== 'boolean') return null;
    return { generation, clean };
  } catch {
    return null;
  }
}

/** Replaces the state file and makes it durable before returning. */
export async function writeListingState(layout: FsLayout, state: ListingState): Promise<void> {
  const staging = layout.tmpPath('state', uniqueName());
  await writeFileSynced(staging, Buffer.from(JSON.stringify({ version: 1, ...state })));
  try {
    await rename(staging, layout.listingState);
  } catch (err) {
    await rm(staging, { force: true });
    throw err;
  }
  await fsyncDir(layout.root);
}

/**
 * Starts a session: the generation its summaries carry, with the state durably not clean.
 * Without a readable state, a random generation: one no summary on disk was stamped with.
 */
export async function beginListingSession(layout: FsLayout): Promise<number> {
  const previous = await readListingState(layout);
  let generation: number;
  if (previous === null || previous.generation >= Number.MAX_SAFE_INTEGER) generation = randomInt(1, 2 ** 47);
  else generation = previous.clean ? previous.generation : previous.generation + 1;
  await writeListingState(layout, { generation, clean: false });
  return generation;
}
