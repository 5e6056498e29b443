/** The request verifier's inputs and outputs. No HTTP framework types: the app adapts requests. */
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
  /** The bucket named by the Host of a virtual-hosted request: SigV2 signs it before the path. */
  virtualHostBucket?: string;
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
  service: 's3' | 'kms' | 'iam' | 'cloudtrail';
  /** Accept Signature Version 2 (S3 only; KMS never takes it). Off: refused as AWS's SigV4-only regions refuse it. */
  sigv2?: boolean;
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
  /** 4, or 2 for the legacy HMAC-SHA1 signature (its payload is always taken as sent). */
  signatureVersion: 2 | 4;
  accessKeyId: string;
  /** 's3' or 'kms', from the credential scope. */
  service: string;
  payload: PayloadMode;
  streaming?: StreamingSigningState;
  presigned: boolean;
}
