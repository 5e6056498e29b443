/**
 * The fields of a POST form that came before its file, as S3 reads them:
 *
 * 1. Names are case-insensitive (`Policy`, `X-Amz-Signature` and `policy` are one field);
 *    a name repeated has its values joined with ',' (S3's rule for duplicate fields).
 * 2. `${filename}` in any value becomes the file's name after its last '/' or '\'; with no
 *    file name at all (a file part without a `filename` parameter) it stays as written,
 *    as S3 leaves it.
 * 3. The form data before the file may hold at most 20 KB (20,480 bytes of names and values)
 *    → 400 MaxPostPreDataLengthExceeded.
 * 4. Fields that stand for request headers (Content-Type, Cache-Control, x-amz-meta-*,
 *    x-amz-server-side-encryption*, acl, ...) are handed to the same header parsers
 *    PutObject uses, as a lower-cased header record whose values carry the UTF-8 bytes one
 *    character per byte, the form Node gives header values in.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../http/errors.js';

/** "The form data and boundaries (excluding the contents of the file) cannot exceed 20KB." */
export const MAX_PRE_FILE_BYTES = 20480;

/** Form fields that are named differently as request headers. */
const HEADER_NAMES: Record<string, string> = { acl: 'x-amz-acl', tagging: 'x-amz-tagging' };

export function preDataTooLarge(): S3Error {
  // S3's code, message (spelling included) and extra element for this limit.
  return new S3Error('MaxPostPreDataLengthExceeded', undefined, { MaxPostPreDataLengthBytes: MAX_PRE_FILE_BYTES });
}

/** The name a browser or tool gave the file, without any path. */
export function baseFilename(name: string): string {
  return name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
}

export class PostForm {
  private readonly fields: { name: string; value: string }[] = [];
  private bytes = 0;

  /** Adds a field in the order sent; refuses the one that takes the form past 20 KB. */
  add(name: string, value: string): void {
    this.bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
    if (this.bytes > MAX_PRE_FILE_BYTES) throw preDataTooLarge();
    this.fields.push({ name, value });
  }

  /** What is left of the 20 KB for further fields. */
  remainingBytes(): number {
    return MAX_PRE_FILE_BYTES - this.bytes;
  }

  /** Replaces `${filename}` in every value (call once, when the file's part begins). */
  expandFilename(filename: string | undefined): void {
    if (filename === undefined) return;
    const base = baseFilename(filename);
    for (const field of this.fields) field.value = field.value.replaceAll('${filename}', base);
  }

  /** A field's value by lower-case name (repeats joined with ','); undefined when absent. */
  value(lowerName: string): string | undefined {
    const values = this.fields.filter((f) => f.name.toLowerCase() === lowerName).map((f) => f.value);
    return values.length === 0 ? undefined : values.join(',');
  }

  /** Each field's name as first sent, once. */
  names(): string[] {
    const first = new Map<string, string>();
    for (const { name } of this.fields) if (!first.has(name.toLowerCase())) first.set(name.toLowerCase(), name);
    return [...first.values()];
  }

  /** The fields as the request headers a PUT would have sent for them. */
  asHeaders(): IncomingHttpHeaders {
    const headers: Record<string, string> = {};
    for (const name of this.names()) {
      const lower = name.toLowerCase();
      headers[HEADER_NAMES[lower] ?? lower] = Buffer.from(this.value(lower)!, 'utf8').toString('latin1');
    }
    return headers;
  }
}
