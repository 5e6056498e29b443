/**
 * Reads a POST form with multer, through a storage engine that never stores a file itself:
 * the fields before the file are collected (post/form-fields.ts), and the file part's stream
 * is handed, as it arrives, to `onFile`, which streams it through the encryption pipeline
 * into storage. Nothing of the file is buffered whole or written anywhere in plaintext.
 *
 * As S3 reads a form:
 * 1. Only a part named `file` (any case) is the file; a part with a file name but another
 *    name is a field (ceph's s3-tests send every field that way), counted in the 20 KB.
 *    A `file` part without a file name is the file too (a text-area upload); its content
 *    then came as a field, which holds at most the 20 KB a field may.
 * 2. Everything after the file is ignored: later fields, a second file, and a later part
 *    that breaks a limit.
 * 3. No file → 400 InvalidArgument "POST requires exactly one file upload per request.".
 *    A body that is not multipart/form-data as declared → 400 MalformedPOSTRequest.
 * 4. On any failure the rest of the request is still read (multer drains it) before the
 *    error is answered, so a browser sees the error document rather than a reset.
 */
import type { IncomingMessage } from 'node:http';
import { Readable, Writable } from 'node:stream';
import type { Request } from 'express';
import multer, { type StorageEngine } from 'multer';
import { ClientGoneError } from '../http/body.js';
import { S3Error } from '../http/errors.js';
import { MAX_PRE_FILE_BYTES, PostForm, preDataTooLarge } from './form-fields.js';

export interface FilePart {
  /** The file's bytes as they arrive. */
  stream: Readable;
  /** The `filename` the part named, path included; undefined when it named none. */
  filename: string | undefined;
}

/** Consumes the file to the end (or fails); the form holds every field sent before it. */
export type OnFile = (form: PostForm, file: FilePart) => Promise<void>;

type Phase = 'fields' | 'file' | 'after';

/** Options multer 2 takes that its type definitions do not list yet. */
interface StreamingOptions extends multer.Options {
  fileHwm: number;
  streamHandler: (req: IncomingMessage, busboy: Writable) => void;
}

/** Multer's limits: the 20 KB bound each field value and name; nothing else is limited here. */
const LIMITS = { fieldSize: MAX_PRE_FILE_BYTES, fieldNameSize: MAX_PRE_FILE_BYTES };
/** The file's bytes come in pieces of this size (busboy's default is 16 KiB). */
const FILE_CHUNK = 64 * 1024;

function noFile(): S3Error {
  return new S3Error('InvalidArgument', 'POST requires exactly one file upload per request.', { ArgumentName: 'file', ArgumentValue: 0 });
}

/** A part that multer saw as a file but that is a field: its text, read within the budget. */
function readFieldPart(stream: Readable, budget: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > budget) failed = true;
      else chunks.push(chunk);
    });
    stream.once('error', reject);
    stream.once('end', () => (failed ? reject(preDataTooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
  });
}

/** What multer or busboy failed with, as S3 answers it. */
function formError(err: unknown, req: IncomingMessage, phase: Phase): unknown {
  if (err instanceof S3Error || err instanceof ClientGoneError) return err;
  if (req.destroyed && !req.complete) return new ClientGoneError(err);
  if (err instanceof multer.MulterError && (err.code === 'LIMIT_FIELD_VALUE' || err.code === 'LIMIT_FIELD_KEY') && phase === 'fields') {
    return preDataTooLarge();
  }
  return new S3Error('MalformedPOSTRequest');
}

/**
 * Reads the form and hands its file to `onFile`. Resolves once the request has been read to
 * the end and `onFile` succeeded; rejects with the S3 error to answer otherwise.
 */
export function readPostForm(req: IncomingMessage, onFile: OnFile): Promise<void> {
  const form = new PostForm();
  let phase: Phase = 'fields';
  /** The first failure among the fields; answered once the request is read. */
  let fieldError: unknown;
  /** Field parts still being read: the file waits for them, so it sees every field before it. */
  const fieldReads: Promise<void>[] = [];
  let stored: Promise<void> | undefined;
  let fileStreamError: unknown;

  const addField = (name: string, value: string): void => {
    try {
      form.add(name, value);
    } catch (err) {
      fieldError ??= err;
    }
  };

  const takeFile = (file: FilePart): Promise<void> => {
    phase = 'file';
    // A body that breaks off or goes wrong inside the file fails the write with the parser's error.
    file.stream.once('error', (err: unknown) => (fileStreamError ??= err));
    stored = (async () => {
      await Promise.all(fieldReads);
      if (fieldError !== undefined) throw fieldError;
      form.expandFilename(file.filename);
      await onFile(form, file);
    })();
    // Whatever happened, the rest of the file is read, so the form's end can be reached.
    stored.then(() => (phase = 'after'), () => file.stream.resume());
    return stored;
  };

  const storage: StorageEngine = {
    _handleFile(_req, file, cb) {
      const name = file.fieldname.toLowerCase();
      if (phase !== 'fields') {
        file.stream.resume();
        return cb(null, {});
      }
      if (name !== 'file') {
        const read = readFieldPart(file.stream, form.remainingBytes()).then((value) => addField(file.fieldname, value), (err: unknown) => {
          fieldError ??= err;
        });
        fieldReads.push(read);
        void read.then(() => cb(null, {}));
        return;
      }
      takeFile({ stream: file.stream, filename: file.originalname }).then(() => cb(null, {}), (err: unknown) => cb(err as Error));
    },
    _removeFile(_req, _file, cb) {
      // Nothing was stored under a name of multer's: a failed write left nothing behind.
      cb(null);
    },
  };

  const options: StreamingOptions = {
    storage,
    limits: LIMITS,
    preservePath: true,
    defParamCharset: 'utf8',
    fileHwm: FILE_CHUNK,
    streamHandler: (request, busboy) => {
      busboy.on('field', (name: string, value: string, info: { valueTruncated: boolean; nameTruncated: boolean }) => {
        if (phase !== 'fields') return;
        if (info.valueTruncated || info.nameTruncated) {
          fieldError ??= preDataTooLarge();
          return;
        }
        if (name.toLowerCase() === 'file') {
          // A text-area upload: the file came as a field, with no file name.
          void takeFile({ stream: Readable.from([Buffer.from(value, 'utf8')]), filename: undefined }).catch(() => undefined);
          return;
        }
        addField(name, value);
      });
      request.pipe(busboy);
    },
  };
  const upload = multer(options).any();

  return new Promise<void>((resolve, reject) => {
    upload(req as Request, {} as never, (err?: unknown) => {
      // The file was taken: what came after it does not count, whatever it was.
      if (stored) return void stored.then(resolve, (failure: unknown) => reject(fileStreamError === undefined ? failure : formError(fileStreamError, req, 'file')));
      if (err !== undefined) return reject(formError(err, req, phase));
      reject(fieldError ?? noFile());
    });
  });
}
