/** The SigV4 verifier's inputs and outputs. No HTTP framework types: the app adapts requests. */
import type { RequestHeaders } from '../http/headers.js';

export interface SigV4Request {
  method: string;
  /** The path exactly as sent on the request line, before any decoding, without the query. */
  rawPath: string;
  /** The query string exactly as sent (without '?'), may be ''. */
  rawQuery: string;
  /**
   * Node's IncomingMessage.headers (lower-case names); pass `headersDistinct` to keep repeated
   * headers apart. Values as Node decodes them: latin1, one character per byte on the wire.
   */
  headers: RequestHeaders;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface AuthContext {
  now: Date;
  /** The gateway's region: a credential scoped to another region is refused. */
  region: string;
  lookup(accessKeyId: string): Credentials | undefined;
}

export interface VerifyOptions {
  service: 's3' | 'kms' | 'iam';
}

export type PayloadMode =
  | { kind: 'signed'; sha256Hex: string }
  | { kind: 'unsigned' }
  | { kind: 'streaming-signed'; trailer: boolean }
  | { kind: 'streaming-unsigned-trailer' };

/**
 * What aws-chunked chunk and trailer signatures chain from. Opaque to callers; the signing key
 * is a private copy that the chunk decoder wipes when it finishes.
 */
export interface StreamingSigningState {
  readonly signingKey: Buffer;
  readonly amzDate: string;
  readonly scope: string;
  readonly seedSignature: string;
}

export interface VerifiedAuth {
  accessKeyId: string;
  /** 's3' or 'kms', from the credential scope. */
  service: string;
  payload: PayloadMode;
  streaming?: StreamingSigningState;
  presigned: boolean;
}
