export { verifySigV4 } from './verify.js';
export { createPayloadHashCheck } from './payload-hash.js';
export { createAwsChunkedDecoder, type AwsChunkedDecoderStream, type TrailerChecksum } from './aws-chunked.js';
export type {
  AuthContext,
  Credentials,
  PayloadMode,
  SigV4Request,
  StreamingSigningState,
  VerifiedAuth,
  VerifyOptions,
} from './types.js';
