/**
 * The plaintext of a multipart object: its parts, each its own GWSE stream and file, read in
 * order as one stream. Which parts and which bytes of each come from part-range.ts; each part
 * is opened only when the previous one ended, with its header checked against the record's
 * parts list (hash, length, part number), so a part swapped in from another upload, another
 * object or another part number fails before its first byte. The first part opened
 * authenticates before this resolves, like a single-part read.
 */
import { Readable } from 'node:stream';
import type { StoredObject } from '@kmsgate/storage';
import { canonicalEncryptionContext } from './context.js';
import { openPlaintextStream } from './decrypt-stream.js';
import { IntegrityError } from './errors.js';
import { planPartRanges, type PartSpan } from './format/part-range.js';
import type { PlaintextRange } from './format/range.js';
import type { ObjectMetadata, PartEntry } from './metadata.js';

export async function openPartsPlaintext(opts: {
  /** Copied: the caller zeroes its own; this copy is zeroed when the stream closes. */
  readonly dek: Buffer;
  readonly meta: ObjectMetadata & { readonly parts: readonly PartEntry[] };
  readonly stored: StoredObject;
  readonly range: PlaintextRange | undefined;
}): Promise<Readable> {
  const { meta, stored } = opts;
  const parts = meta.parts;
  if (stored.pieces.length !== parts.length) throw new IntegrityError('the stored parts differ from the metadata record');
  const objectContext = canonicalEncryptionContext(meta.encryptionContext);
  const spans = planPartRanges(parts.map((p) => p.plaintextSize), opts.range);
  const dek = Buffer.from(opts.dek);
  const open = (span: PartSpan): Promise<Readable> => {
    const part = parts[span.index];
    return openPlaintextStream({
      dek,
      objectContext,
      fileSize: stored.pieces[span.index],
      expectedHeaderSha256: part.headerSha256,
      expectedPlaintextLength: part.plaintextSize,
      expectedPartNumber: part.partNumber,
      range: span.range,
      readFile: (start, end) => stored.read({ start, end: end - 1 }, span.index),
    });
  };
  let current: Readable;
  try {
    current = await open(spans[0]);
  } catch (err) {
    dek.fill(0);
    throw err;
  }
  async function* chain(): AsyncGenerator<Buffer> {
    for (const [i, span] of spans.entries()) {
      if (i > 0) current = await open(span);
      for await (const chunk of current) yield chunk as Buffer;
    }
  }
  const out = Readable.from(chain(), { objectMode: false });
  out.once('close', () => {
    current.destroy();
    dek.fill(0);
  });
  return out;
}
