/**
 * Request bodies: turns the raw request into verified payload bytes.
 *
 * Depending on how the client signed, the payload is checked against the signed SHA-256
 * (`XAmzContentSHA256Mismatch`), decoded from aws-chunked with every chunk signature and the
 * trailer checksum verified, or taken as sent (UNSIGNED-PAYLOAD). Content-MD5 and
 * `x-amz-checksum-*` headers are verified over the same payload bytes. The stages are
 * transforms for one `pipeline`, so nothing is buffered whole and an object is committed
 * only after the last stage has accepted the last byte.
 *
 * A body must say how long it is, or say that its framing will tell: Content-Length,
 * x-amz-decoded-content-length for aws-chunked (required, as on AWS), or plain HTTP
 * `Transfer-Encoding: chunked`. The last has no declared length; its size limit is then
 * enforced by counting as it streams. Here we differ from Amazon S3 on purpose: it refuses
 * a chunked PutObject (501 NotImplemented naming the Transfer-Encoding header; MinIO answers
 * 411), while Ceph RGW accepts it and ceph/s3-tests expects that (a chunked PUT with a
 * signed payload hash), as do streaming clients and form relays. With neither a length
 * nor chunked framing the answer is AWS's 411 MissingContentLength.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { PassThrough, Transform, Writable, type Readable } from 'node:stream';
import { runPipeline } from '../streams/run-pipeline.js';
import { createAwsChunkedDecoder, createPayloadHashCheck } from '../auth/index.js';
import {
  DEFAULT_CHECKSUM,
  checksumSources,
  createChecksumCheck,
  createContentMd5Check,
  parseRequestChecksum,
  type ChecksumAlgorithm,
  type RequestChecksum,
} from '../checksums/index.js';
import { S3Error, needs } from './errors.js';
import type { OperationContext } from '../operations/operation.js';
import { headerValue, type RequestHeaders } from './headers.js';

/** Amazon S3's limit for a single PUT. */
export const MAX_SINGLE_PUT = 5 * 1024 ** 3;
/** Configuration documents (CreateBucketConfiguration, ACLs, encryption) are a few KB; nothing near this is one. */
export const MAX_CONFIGURATION_BYTES = 64 * 1024;

export interface PayloadStages {
  /** Transforms to pipe the raw request through, in order. */
  stages: Transform[];
  /**
   * The verified body as pipeline streams: the request, then every stage. The only way an
   * operation reads a body, so none can skip a check. Call once, and hand the result to
   * runPipeline() in the same tick (see requestSource).
   */
  streams(): [Readable, ...Transform[]];
  /** Payload length in bytes, as declared by the client; null for a chunked body that declares none. */
  length: number | null;
  /**
   * After the pipeline finished: the verified flexible checksum the client sent, else the
   * CRC64NVME computed in its place; undefined only for a promised trailer that never came.
   */
  checksum(): { algorithm: ChecksumAlgorithm; base64: string } | undefined;
  /**
   * Tears down stages that never ran (the request failed before its body was read), so the
   * chunk decoder wipes the streaming signing key. Harmless after the pipeline settled.
   */
  discard(): void;
}

/** The client closed the connection before its request body was read to the end. */
export class ClientGoneError extends Error {
  constructor(cause?: unknown) {
    super('the client closed the connection before the request body was read', { cause });
    this.name = 'ClientGoneError';
  }
}

/**
 * HTTP/1.1 chunked framing without a Content-Length (Node refuses a request with both). The
 * header may list other codings before `chunked`; those we never decode, so only a bare
 * `chunked` counts.
 */
function isChunked(headers: IncomingHttpHeaders): boolean {
  return headers['content-length'] === undefined && headerValue(headers, 'transfer-encoding')?.trim().toLowerCase() === 'chunked';
}

/** Passes bytes through, failing with `tooLarge()` as soon as more than `limit` have passed. */
export function byteLimit(limit: number, tooLarge: () => Error): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > limit) return done(tooLarge());
      done(null, chunk);
    },
  });
}

// The error is made only when thrown: an Error built per request just in case costs its stack trace.
function declaredLength(value: string | undefined): number {
  if (value === undefined) throw new S3Error('MissingContentLength');
  needs(/^\d{1,16}$/.test(value), 'InvalidArgument', 'The Content-Length header is not a number.');
  return Number(value);
}

export interface ContentChecks {
  stages: Transform[];
  /** After the last byte: the checksum to store; undefined when a trailer brings it. */
  checksum(): { algorithm: ChecksumAlgorithm; base64: string } | undefined;
}

/**
 * The checks of a body's bytes that its headers ask for: Content-MD5, the x-amz-checksum-*
 * value sent up front (`requested`), or without any checksum S3's default full-object
 * CRC64NVME, computed to be stored. A trailer's checksum is the chunk decoder's to check.
 * Also the checks of a POST form's file, whose fields stand for these headers.
 */
export function contentChecks(headers: RequestHeaders, requested: RequestChecksum | null): ContentChecks {
  const stages: Transform[] = [];
  const md5 = headerValue(headers, 'content-md5');
  if (md5 !== undefined) stages.push(createContentMd5Check(md5));
  if (requested && (requested.fromTrailer || requested.expectedBase64 === undefined)) return { stages, checksum: () => undefined };
  const algorithm = requested?.algorithm ?? DEFAULT_CHECKSUM;
  const check = createChecksumCheck(algorithm, requested?.expectedBase64);
  stages.push(check);
  return { stages, checksum: () => ({ algorithm, base64: check.result() }) };
}

export function payloadStages(ctx: Pick<OperationContext, 'auth' | 'headers' | 'query' | 'req'>, maxLength = MAX_SINGLE_PUT): PayloadStages {
  const { auth, headers } = ctx;
  const stages: Transform[] = [];
  const payload = auth.payload;
  const streaming = payload.kind === 'streaming-signed' || payload.kind === 'streaming-unsigned-trailer';
  let length: number | null;
  let trailerChecksum: (() => { algorithm: ChecksumAlgorithm; base64: string } | undefined) | undefined;
  if (streaming) {
    length = declaredLength(headerValue(headers, 'x-amz-decoded-content-length'));
    const decoder = createAwsChunkedDecoder(auth, headers);
    stages.push(decoder);
    trailerChecksum = () => decoder.trailerChecksum;
  } else {
    length = isChunked(headers) ? null : declaredLength(headerValue(headers, 'content-length'));
    // A signed hash of a chunked body is checked the same way: the client hashed it before sending.
    if (payload.kind === 'signed') stages.push(createPayloadHashCheck(payload.sha256Hex));
  }
  if (length === null) {
    stages.unshift(byteLimit(maxLength, () => new S3Error('EntityTooLarge', undefined, { MaxSizeAllowed: maxLength })));
  } else if (length > maxLength) {
    throw new S3Error('EntityTooLarge', undefined, { ProposedSize: length, MaxSizeAllowed: maxLength });
  }
  const content = contentChecks(headers, parseRequestChecksum(checksumSources(headers, ctx.query, auth.presigned)));
  stages.push(...content.stages);
  return {
    stages,
    streams: () => [requestSource(ctx.req), ...stages],
    length,
    checksum: () => content.checksum() ?? trailerChecksum?.(),
    discard: () => {
      for (const stage of stages) stage.destroy();
    },
  };
}

/**
 * The rule S3 applies to the bodies of operations whose model says requestChecksumRequired
 * (DeleteObjects, PutBucketEncryption, ...): an integrity header must come, Content-MD5 or,
 * as the SDKs now send instead, an `x-amz-checksum-*` value (a trailer counts). The body
 * stages verify whichever came.
 */
export function requireBodyChecksum(headers: IncomingHttpHeaders): void {
  needs(
    headerValue(headers, 'content-md5') !== undefined || parseRequestChecksum(headers) !== null,
    'InvalidRequest',
    'Missing required header for this request: Content-MD5 OR x-amz-checksum-*',
  );
}

/** Reads a small verified body (XML configuration documents and the like) into memory. */
export async function readSmallBody(ctx: OperationContext, limit: number): Promise<Buffer> {
  // A request with neither length nor chunked framing has no body at all.
  const framed = ['content-length', 'transfer-encoding', 'x-amz-decoded-content-length'].some((name) => ctx.headers[name] !== undefined);
  if (!framed) return Buffer.alloc(0);
  return collectBody(payloadStages(ctx, limit).streams(), limit, () => new S3Error('EntityTooLarge', undefined, { MaxSizeAllowed: limit }));
}

/** Runs `streams` as one pipeline into memory; more than `limit` bytes fails with `tooLarge()`. */
export async function collectBody(streams: [Readable, ...Transform[]], limit: number, tooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const collect = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  await runPipeline([...streams, byteLimit(limit, tooLarge), collect]);
  return Buffer.concat(chunks);
}

/**
 * How far the request source reads ahead of the stage after it, on each of its two sides.
 * It was 1 MiB, for a time when the event loop ping-ponged between socket, cipher and thread
 * pool without it. Now that the file writer batches its writes and the checksum runs on a
 * worker, a 1 GiB PUT is no slower with 64 KiB, and 16 concurrent uploads waiting on the
 * disk no longer hold up to 2 MiB each here: what arrives meanwhile waits in the kernel's
 * socket buffer, outside the gateway's memory.
 */
const REQUEST_BUFFER_BYTES = 64 * 1024;

/**
 * The request as a pipeline source that a failing pipeline may destroy without destroying
 * the request itself: the socket must stay up long enough to carry the S3 error document.
 *
 * A client that goes away fails the source with ClientGoneError, whenever that happens:
 * 'aborted' only fires while Node is still reading the request, so a connection closed
 * earlier (while the bucket was checked or the data key generated) is noticed from the
 * destroyed request or socket, at once, or by their 'close' later. Without that the
 * pipeline would wait forever for an 'end' that cannot come, holding its temp file.
 * Hand it to runPipeline() in the same tick: the source may already be failing.
 */
export function requestSource(req: IncomingMessage): Readable {
  const source = new PassThrough({ highWaterMark: REQUEST_BUFFER_BYTES });
  const socket = req.socket as IncomingMessage['socket'] | null;
  const gone = (cause?: unknown): void => {
    if (!req.readableEnded) source.destroy(new ClientGoneError(cause));
  };
  const onClose = (): void => gone();
  if (req.readableEnded) return source.end();
  if (req.destroyed || socket?.destroyed) {
    gone();
    return source;
  }
  req.once('aborted', onClose);
  req.once('close', onClose);
  req.on('error', gone);
  socket?.once('close', onClose);
  // A keep-alive socket carries many requests: leave no listener behind on it.
  source.once('close', () => {
    req.off('aborted', onClose);
    req.off('close', onClose);
    req.off('error', gone);
    socket?.off('close', onClose);
  });
  req.pipe(source);
  return source;
}
